import { z } from 'zod';
import type { DirectoryJson } from './types.js';

const featureSchema = z.object({ name: z.string(), enabled: z.boolean() });

/** An organization in a seed file: the API's own shape; id and timestamps may be left out. */
export const seedOrganizationSchema = z.object({
  id: z
    .string()
    .regex(/^org_[A-Za-z0-9]{1,28}$/, 'must look like org_<digits>')
    .optional(),
  display_name: z.string(),
  external_id: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  region_code: z.enum(['US', 'EU']).optional(),
  create_time: z.iso.datetime({ offset: true }).optional(),
  update_time: z.iso.datetime({ offset: true }).optional(),
  settings: z.object({ features: z.array(featureSchema) }).optional(),
  slug: z.string().optional(),
  logo_url: z.string().optional(),
});

/** A directory in a seed file or in `POST /_emulator/organizations/{id}/directories`. */
export const seedDirectorySchema = z.object({
  id: z
    .string()
    .regex(/^dir_[A-Za-z0-9]{1,28}$/, 'must look like dir_<digits>')
    .optional(),
  organization_id: z.string().min(1),
  name: z.string().optional(),
  directory_type: z.enum(['SCIM', 'LDAP', 'POLL']).optional(),
  directory_provider: z
    .enum(['OKTA', 'GOOGLE', 'MICROSOFT_AD', 'AUTH0', 'ONELOGIN', 'JUMPCLOUD', 'PING_IDENTITY'])
    .optional(),
  enabled: z.boolean().optional(),
  status: z.string().optional(),
  directory_endpoint: z.string().optional(),
  total_users: z.number().int().nonnegative().optional(),
  total_groups: z.number().int().nonnegative().optional(),
  email: z.string().optional(),
  groups_tracked: z.string().optional(),
  last_synced_at: z.iso.datetime({ offset: true }).optional(),
});

/** The whole seed: `{"organizations": [...], "directories": [...]}`. */
export const emulatorSeedSchema = z.object({
  organizations: z.array(seedOrganizationSchema).optional(),
  directories: z.array(seedDirectorySchema).optional(),
});

/** An organization in a seed: the API's own shape, where id and timestamps may be left out. */
export type SeedOrganization = z.input<typeof seedOrganizationSchema>;
/** A directory in a seed or attached through the admin route; it names its organization. */
export type SeedDirectory = z.input<typeof seedDirectorySchema>;
/** The initial state of an emulator (also the format of `--seed FILE`). */
export type EmulatorSeed = z.input<typeof emulatorSeedSchema>;

/** Parses untrusted seed data; throws an Error listing every problem with its path. */
export function parseSeed(value: unknown, origin = 'seed'): EmulatorSeed {
  const result = emulatorSeedSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new Error(`Invalid emulator ${origin}:\n${problems.join('\n')}`);
}

/** Fills in a directory's defaults: an enabled SCIM directory from Okta unless told otherwise. */
export function buildDirectory(input: SeedDirectory, id: string): DirectoryJson {
  const enabled = input.enabled ?? true;
  const directory: DirectoryJson = {
    id,
    name: input.name ?? 'Okta SCIM',
    organization_id: input.organization_id,
    directory_type: input.directory_type ?? 'SCIM',
    directory_provider: input.directory_provider ?? 'OKTA',
    enabled,
    status: input.status ?? (enabled ? 'COMPLETED' : 'DRAFT'),
    directory_endpoint:
      input.directory_endpoint ?? `https://emulator.scalekit.invalid/api/v1/directories/${id}/scim/v2`,
    total_users: input.total_users ?? 0,
    total_groups: input.total_groups ?? 0,
    secrets: [],
    email: input.email ?? '',
    groups_tracked: input.groups_tracked ?? 'ALL',
  };
  if (input.last_synced_at !== undefined) directory.last_synced_at = input.last_synced_at;
  return directory;
}
