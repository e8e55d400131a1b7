import type { EmulatorSeed, SeedOrganization } from '../../src/emulator/seed-schema.js';

/**
 * Scalekit as the delete tests find it: eight managed organizations `us-east-KEEP-1`..`8` (each
 * with `keepMetadata`), `us-east-GONE-1` (deletable once gone from the source), `us-east-GONE-SCIM`
 * (SCIM enabled, so never deleted), and then `extra`.
 */
export function deleteSeed(options: {
  keepMetadata?: Record<string, string>;
  extra: SeedOrganization[];
}): EmulatorSeed {
  return {
    organizations: [
      ...Array.from({ length: 8 }, (_, i) => ({
        id: `org_keep_${i + 1}`,
        display_name: `Keep ${i + 1}`,
        external_id: `us-east-KEEP-${i + 1}`,
        ...(options.keepMetadata ? { metadata: options.keepMetadata } : {}),
      })),
      { id: 'org_gone', display_name: 'Gone', external_id: 'us-east-GONE-1' },
      { id: 'org_scim', display_name: 'Gone with SCIM', external_id: 'us-east-GONE-SCIM' },
      ...options.extra,
    ],
    directories: [{ organization_id: 'org_scim', enabled: true }],
  };
}
