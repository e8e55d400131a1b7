import { z } from 'zod';

/**
 * Scalekit's REST shapes (snake_case, protojson). Objects are loose: fields we do not know pass
 * through untouched, so a new field on Scalekit's side never breaks a run.
 */
export const organizationSchema = z.looseObject({
  id: z.string().min(1),
  display_name: z.string(),
  external_id: z.string().optional().nullable(),
  metadata: z
    .record(z.string(), z.string())
    .nullish()
    .transform((m) => m ?? {}),
  region_code: z.string().optional(),
  create_time: z.string().optional(),
  update_time: z.string().optional(),
});
export type Organization = z.output<typeof organizationSchema>;

export const directorySchema = z.looseObject({
  id: z.string(),
  organization_id: z.string().optional(),
  directory_type: z.string().optional(),
  enabled: z.boolean().optional().default(false),
  name: z.string().optional(),
});
export type Directory = z.output<typeof directorySchema>;

export const organizationEnvelopeSchema = z.looseObject({ organization: organizationSchema });

export const listOrganizationsResponseSchema = z.looseObject({
  organizations: z
    .array(organizationSchema)
    .nullish()
    .transform((o) => o ?? []),
  next_page_token: z
    .string()
    .nullish()
    .transform((t) => t ?? ''),
  prev_page_token: z.string().nullish(),
  total_size: z.coerce
    .number()
    .int()
    .nonnegative()
    .nullish()
    .transform((n) => n ?? 0),
});

export const listDirectoriesResponseSchema = z.looseObject({
  directories: z
    .array(directorySchema)
    .nullish()
    .transform((d) => d ?? []),
});

export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().optional(),
});

/** grpc-gateway error body: `{code, message, details: [{"@type": ..., error_code, validation_error_info}]}`. */
export const errorBodySchema = z.looseObject({
  code: z.number().optional(),
  message: z.string().optional(),
  details: z
    .array(
      z.looseObject({
        '@type': z.string().optional(),
        error_code: z.string().optional(),
        validation_error_info: z
          .looseObject({
            field_violations: z
              .array(
                z.looseObject({
                  field: z.string().optional(),
                  description: z.string().optional(),
                  constraint: z.string().optional(),
                }),
              )
              .optional(),
          })
          .optional(),
      }),
    )
    .optional(),
});
