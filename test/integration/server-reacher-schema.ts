import { Ajv, type ValidateFunction } from 'ajv';

// Our own JSON schema of Reacher's answers, written from the field names and types of Reacher's
// published OpenAPI description (backend/openapi.json of reacherhq/check-if-email-exists):
// CheckEmailOutput, the bulk job status and the bulk results. Every Reacher-style answer in the
// tests is checked against it.

const coreError = {
  type: 'object',
  required: ['type', 'message'],
  properties: { type: { type: 'string' }, message: { type: 'string' } },
};

const checkEmailOutput = {
  type: 'object',
  required: ['input', 'is_reachable', 'misc', 'mx', 'smtp', 'syntax'],
  properties: {
    input: { type: 'string' },
    is_reachable: { enum: ['invalid', 'unknown', 'safe', 'risky'] },
    misc: {
      oneOf: [
        {
          type: 'object',
          required: ['is_disposable', 'is_role_account'],
          properties: {
            is_disposable: { type: 'boolean' },
            is_role_account: { type: 'boolean' },
            gravatar_url: { type: ['string', 'null'] },
          },
        },
        coreError,
      ],
    },
    mx: {
      oneOf: [
        {
          type: 'object',
          required: ['accepts_mail', 'records'],
          properties: { accepts_mail: { type: 'boolean' }, records: { type: 'array', items: { type: 'string' } } },
        },
        coreError,
      ],
    },
    smtp: {
      oneOf: [
        {
          type: 'object',
          required: ['can_connect_smtp', 'has_full_inbox', 'is_catch_all', 'is_deliverable', 'is_disabled'],
          properties: {
            can_connect_smtp: { type: 'boolean' },
            has_full_inbox: { type: 'boolean' },
            is_catch_all: { type: 'boolean' },
            is_deliverable: { type: 'boolean' },
            is_disabled: { type: 'boolean' },
          },
        },
        coreError,
      ],
    },
    syntax: {
      type: 'object',
      required: ['domain', 'is_valid_syntax', 'username'],
      properties: {
        domain: { type: 'string' },
        is_valid_syntax: { type: 'boolean' },
        username: { type: 'string' },
        address: { type: ['string', 'null'] },
        normalized_email: { type: ['string', 'null'] },
        suggestion: { type: ['string', 'null'] },
      },
    },
  },
};

const bulkAccepted = {
  type: 'object',
  required: ['job_id'],
  properties: { job_id: { type: 'integer' } },
};

const dateTime = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$',
};

const bulkStatus = {
  type: 'object',
  required: ['job_id', 'created_at', 'total_records', 'total_processed', 'summary', 'job_status'],
  properties: {
    job_id: { type: 'integer' },
    created_at: dateTime,
    finished_at: { anyOf: [dateTime, { type: 'null' }] },
    total_records: { type: 'integer' },
    total_processed: { type: 'integer' },
    summary: {
      type: 'object',
      required: ['total_safe', 'total_invalid', 'total_risky', 'total_unknown'],
      properties: {
        total_safe: { type: 'integer' },
        total_invalid: { type: 'integer' },
        total_risky: { type: 'integer' },
        total_unknown: { type: 'integer' },
      },
    },
    job_status: { enum: ['Running', 'Completed'] },
  },
};

const bulkResults = {
  type: 'object',
  required: ['results'],
  properties: { results: { type: 'array', items: checkEmailOutput } },
};

const errorBody = {
  type: 'object',
  required: ['error', 'code'],
  properties: { error: { type: 'string', minLength: 10 }, code: { type: 'string' } },
};

const ajv = new Ajv({ allErrors: true, strict: true });
const compiled: Record<string, ValidateFunction> = {
  checkEmailOutput: ajv.compile(checkEmailOutput),
  bulkAccepted: ajv.compile(bulkAccepted),
  bulkStatus: ajv.compile(bulkStatus),
  bulkResults: ajv.compile(bulkResults),
  errorBody: ajv.compile(errorBody),
};

export type ReacherSchema = 'checkEmailOutput' | 'bulkAccepted' | 'bulkStatus' | 'bulkResults' | 'errorBody';

/** The schema's complaints about `value`, or [] when it conforms. */
export function schemaErrors(schema: ReacherSchema, value: unknown): string[] {
  const validate = compiled[schema]!;
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
}
