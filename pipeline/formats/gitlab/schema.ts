import { z } from 'zod';

/**
 * The shape of a GitLab CI job once `default:`, `extends:` and includes are merged in, as far
 * as the platform runs it. Keys GitLab accepts that the platform does not run are listed with
 * the reason in UNSUPPORTED_JOB_KEYS, so the error names the feature.
 */

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const variableValue = z.union([
  scalar,
  z.strictObject({
    value: scalar.optional(),
    description: z.string().optional(),
    options: z.array(scalar).optional(),
    expand: z.boolean().optional(),
  }),
]);
export const variablesSchema = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'variable names are letters, digits and _'),
  variableValue.nullable(),
);
const script = z.union([z.string(), z.array(z.union([z.string(), z.array(z.string())]))]);

const ruleSchema = z.strictObject({
  if: z.string().optional(),
  changes: z.union([z.array(z.string()), z.strictObject({ paths: z.array(z.string()) })]).optional(),
  when: z.enum(['on_success', 'never', 'always', 'manual', 'on_failure', 'delayed']).optional(),
  allow_failure: z.boolean().optional(),
  variables: variablesSchema.optional(),
});
export type Rule = z.infer<typeof ruleSchema>;

const cacheSchema = z.strictObject({
  key: z
    .union([
      z.string().min(1).max(400),
      z.number(),
      z.strictObject({
        files: z.array(z.string().min(1).max(256)).min(1).max(2),
        prefix: z.string().min(1).max(200).optional(),
      }),
    ])
    .optional(),
  paths: z.array(z.string().min(1)).max(32).optional(),
  policy: z.enum(['pull', 'push', 'pull-push']).optional(),
  when: z.enum(['on_success', 'on_failure', 'always']).optional(),
  fallback_keys: z.array(z.string().min(1).max(400)).max(5).optional(),
  untracked: z.boolean().optional(),
  unprotect: z.boolean().optional(),
});
export type GitlabCache = z.infer<typeof cacheSchema>;

export const jobSchema = z.strictObject({
  stage: z.string().optional(),
  script,
  before_script: script.optional(),
  after_script: script.optional(),
  needs: z
    .array(
      z.union([
        z.string(),
        z.strictObject({
          job: z.string(),
          artifacts: z.boolean().optional(),
          optional: z.boolean().optional(),
        }),
      ]),
    )
    .optional(),
  dependencies: z.array(z.string()).optional(),
  rules: z.array(ruleSchema).optional(),
  variables: variablesSchema.optional(),
  parallel: z
    .union([
      z.number().int().min(1).max(200),
      z.strictObject({ matrix: z.array(z.record(z.string(), z.union([scalar, z.array(scalar)]))).min(1) }),
    ])
    .optional(),
  artifacts: z
    .strictObject({
      paths: z.array(z.string().min(1)).optional(),
      name: z.string().optional(),
      expire_in: z.string().optional(),
      when: z.enum(['on_success']).optional(),
    })
    .optional(),
  allow_failure: z.boolean().optional(),
  timeout: z.string().optional(),
  when: z.enum(['on_success', 'on_failure', 'always', 'manual', 'never']).optional(),
  image: z.union([z.string(), z.strictObject({ name: z.string() })]).optional(),
  /** checked entry by entry in services.ts */
  services: z.array(z.union([z.string().min(1), z.record(z.string(), z.unknown())])).optional(),
  tags: z.array(z.string()).optional(),
  retry: z
    .union([z.number().int().min(0).max(2), z.strictObject({ max: z.number().int().min(0).max(2) })])
    .optional(),
  interruptible: z.boolean().optional(),
  cache: z.union([cacheSchema, z.array(cacheSchema).max(4)]).optional(),
});
export type GitlabJob = z.infer<typeof jobSchema>;

export const UNSUPPORTED_JOB_KEYS: Record<string, string> = {
  environment: 'environment: deployments and environments are not supported',
  only: 'only: is not supported; use rules:',
  except: 'except: is not supported; use rules:',
  trigger: 'trigger: downstream pipelines are not supported',
  release: 'release: is not supported',
  resource_group: 'resource_group: is not supported',
  secrets: 'secrets: external secret providers are not supported (use project secrets)',
  id_tokens: 'id_tokens: is not supported',
  inherit: 'inherit: is not supported',
  pages: 'pages: GitLab Pages is not supported',
  start_in: 'start_in: delayed jobs are not supported',
  coverage: 'coverage: is not supported',
  hooks: 'hooks: is not supported',
  identity: 'identity: is not supported',
  manual_confirmation: 'manual_confirmation: is not supported',
  dast_configuration: 'dast_configuration: is not supported',
  run: 'run: (CI/CD steps) is not supported; use script:',
};

/** Top-level keys that are not jobs. */
export const GLOBAL_KEYS = new Set([
  'stages',
  'variables',
  'default',
  'workflow',
  'include',
  'image',
  'services',
  'before_script',
  'after_script',
  'cache',
  'spec',
]);

export const UNSUPPORTED_GLOBAL_KEYS: Record<string, string> = {
  spec: 'spec: CI/CD component inputs are not supported',
};

export const DEFAULT_KEYS = [
  'image',
  'before_script',
  'after_script',
  'timeout',
  'retry',
  'tags',
  'interruptible',
  'artifacts',
  'cache',
  'services',
];

export const workflowSchema = z.strictObject({
  name: z.string().optional(),
  rules: z
    .array(
      z.strictObject({
        if: z.string().optional(),
        changes: ruleSchema.shape.changes,
        when: z.enum(['always', 'never']).optional(),
        variables: variablesSchema.optional(),
      }),
    )
    .optional(),
});
