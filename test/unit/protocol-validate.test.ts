import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../native-host/shared/protocol/error-codes.js';
import { LIMITS } from '../../native-host/shared/protocol/messages.js';
import { validateRequest } from '../../native-host/shared/protocol/validate.js';

function problem(value: unknown) {
  const validation = validateRequest(value);
  if (validation.ok) throw new Error(`expected a problem, got ${JSON.stringify(validation.request)}`);
  return validation.error;
}

function request(value: unknown) {
  const validation = validateRequest(value);
  if (!validation.ok) throw new Error(`expected a request, got ${validation.error.code}: ${validation.error.message}`);
  return validation.request;
}

const verify = (extra: Record<string, unknown> = {}) => ({
  type: 'verify',
  id: 'v1',
  addresses: ['a@b.example'],
  ...extra,
});

describe('error code table', () => {
  it('numbers every code uniquely, from 1 without gaps', () => {
    const numbers = Object.values(ERROR_CODES).map((entry) => entry.number);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect([...numbers].sort((a, b) => a - b)).toEqual(numbers.map((_, i) => i + 1));
  });

  it('keeps the published codes where they are (append-only)', () => {
    const published = {
      bad_frame: 1,
      frame_too_large: 2,
      bad_json: 3,
      unknown_type: 4,
      missing_field: 5,
      wrong_type: 6,
      protocol_mismatch: 7,
      too_many_addresses: 8,
      unknown_request: 9,
      internal: 10,
      busy: 11,
      handshake_required: 12,
      bad_value: 13,
      duplicate_id: 14,
    };
    for (const [code, number] of Object.entries(published)) {
      expect(ERROR_CODES[code as keyof typeof ERROR_CODES]?.number, code).toBe(number);
    }
  });
});

describe('validateRequest: well-formed requests', () => {
  it('reads hello', () => {
    expect(request({ type: 'hello', id: 1, protocol: 1, extension: '0.1.0' })).toEqual({
      type: 'hello',
      id: 1,
      protocol: 1,
      extension: '0.1.0',
    });
  });

  it('reads verify, with and without options', () => {
    expect(request(verify())).toEqual({ type: 'verify', id: 'v1', addresses: ['a@b.example'] });
    const options = {
      level: 'dns',
      sender: '<>',
      heloName: 'mx.example.org',
      proxy: 'socks5://u:p@127.0.0.1:1080',
      timeoutMs: 5000,
      catchAll: false,
      greylistWaitMs: 0,
    };
    expect(request(verify({ options }))).toEqual({
      type: 'verify',
      id: 'v1',
      addresses: ['a@b.example'],
      options: { ...options, sender: '' },
    });
  });

  it('accepts an empty address list and an address-literal HELO name', () => {
    expect(request(verify({ addresses: [] }))).toMatchObject({ addresses: [] });
    expect(request(verify({ options: { heloName: '[192.0.2.1]' } }))).toMatchObject({
      options: { heloName: '[192.0.2.1]' },
    });
  });

  it('reads cancel, with a numeric or a string target', () => {
    expect(request({ type: 'cancel', id: 'c1', target: 'v1' })).toEqual({ type: 'cancel', id: 'c1', target: 'v1' });
    expect(request({ type: 'cancel', id: 2, target: 1 })).toEqual({ type: 'cancel', id: 2, target: 1 });
  });

  it('ignores unknown top-level fields', () => {
    expect(request({ ...verify(), note: 'x' })).toEqual({ type: 'verify', id: 'v1', addresses: ['a@b.example'] });
  });

  it('reads a hello of another protocol version, so the host can say which side is older', () => {
    expect(request({ type: 'hello', id: 1, protocol: 7, extension: '9.0.0' })).toMatchObject({ protocol: 7 });
  });
});

describe('validateRequest: the exact problem', () => {
  it('refuses what is not an object', () => {
    expect(problem([1, 2])).toEqual({
      code: 'wrong_type',
      message: 'the message must be a JSON object, not an array',
      id: null,
    });
    expect(problem('hello')).toMatchObject({ code: 'wrong_type', id: null });
    expect(problem(null)).toMatchObject({ code: 'wrong_type', message: 'the message must be a JSON object, not null' });
  });

  it('needs an id, a string or a whole number', () => {
    expect(problem({ type: 'hello', protocol: 1, extension: '1' })).toEqual({
      code: 'missing_field',
      message: 'missing field `id`',
      id: null,
    });
    expect(problem({ type: 'hello', id: true })).toMatchObject({
      code: 'wrong_type',
      message: '`id` must be a string or a number, not a boolean',
    });
    expect(problem({ type: 'hello', id: 1.5 })).toMatchObject({ code: 'bad_value' });
    expect(problem({ type: 'hello', id: '' })).toMatchObject({ code: 'bad_value' });
    expect(problem({ type: 'hello', id: 'x'.repeat(LIMITS.maxIdLength + 1) })).toMatchObject({ code: 'bad_value' });
  });

  it('echoes the id once it could be read', () => {
    expect(problem({ id: 'r7' })).toEqual({ code: 'missing_field', message: 'missing field `type`', id: 'r7' });
  });

  it('names an unknown or mistyped type', () => {
    expect(problem({ id: 1, type: 'verfy' })).toMatchObject({
      code: 'unknown_type',
      message: expect.stringContaining('"verfy"'),
      id: 1,
    });
    expect(problem({ id: 1, type: 3 })).toMatchObject({
      code: 'wrong_type',
      message: '`type` must be a string, not a number',
    });
  });

  it('checks hello fields', () => {
    expect(problem({ type: 'hello', id: 1, extension: '1.0.0' })).toMatchObject({
      code: 'missing_field',
      message: 'missing field `protocol`',
    });
    expect(problem({ type: 'hello', id: 1, protocol: '1', extension: '1.0.0' })).toMatchObject({ code: 'wrong_type' });
    expect(problem({ type: 'hello', id: 1, protocol: 0, extension: '1.0.0' })).toMatchObject({ code: 'bad_value' });
    expect(problem({ type: 'hello', id: 1, protocol: 1 })).toMatchObject({
      code: 'missing_field',
      message: 'missing field `extension`',
    });
  });

  it('names a missing or mistyped address list', () => {
    expect(problem({ type: 'verify', id: 'v' })).toEqual({
      code: 'missing_field',
      message: 'missing field `addresses`',
      id: 'v',
    });
    expect(problem(verify({ addresses: 'a@b.example' }))).toMatchObject({
      code: 'wrong_type',
      message: '`addresses` must be an array of strings, not a string',
    });
  });

  it('names the exact address that is not a string', () => {
    expect(problem(verify({ addresses: ['a@x', 'b@x', 'c@x', 42] }))).toEqual({
      code: 'wrong_type',
      message: '`addresses[3]` is not a string (it is a number)',
      id: 'v1',
    });
    expect(problem(verify({ addresses: [null] }))).toMatchObject({
      message: '`addresses[0]` is not a string (it is null)',
    });
  });

  it('refuses more addresses than the limit', () => {
    const addresses = Array.from({ length: LIMITS.maxAddressesPerRequest + 1 }, (_, i) => `u${i}@x.example`);
    expect(problem(verify({ addresses }))).toMatchObject({
      code: 'too_many_addresses',
      message: expect.stringContaining('10001'),
    });
    expect(request(verify({ addresses: addresses.slice(1) }))).toMatchObject({ type: 'verify' });
  });

  it('checks each option', () => {
    expect(problem(verify({ options: [] }))).toMatchObject({
      code: 'wrong_type',
      message: '`options` must be a JSON object, not an array',
    });
    expect(problem(verify({ options: { levle: 'dns' } }))).toMatchObject({
      code: 'bad_value',
      message: expect.stringContaining('`options.levle`'),
    });
    expect(problem(verify({ options: { level: 'full' } }))).toMatchObject({
      code: 'bad_value',
      message: expect.stringContaining('syntax, dns, smtp'),
    });
    expect(problem(verify({ options: { level: 2 } }))).toMatchObject({
      code: 'wrong_type',
      message: '`options.level` takes one of syntax, dns, smtp, not "2"',
    });
    expect(problem(verify({ options: { timeoutMs: '5000' } }))).toMatchObject({ code: 'wrong_type' });
    expect(problem(verify({ options: { timeoutMs: 5 } }))).toMatchObject({
      code: 'bad_value',
      message: expect.stringContaining('100 to 600000'),
    });
    expect(problem(verify({ options: { greylistWaitMs: -1 } }))).toMatchObject({ code: 'bad_value' });
    expect(problem(verify({ options: { catchAll: 'no' } }))).toMatchObject({
      code: 'wrong_type',
      message: '`options.catchAll` takes true or false, not "no"',
    });
    expect(problem(verify({ options: { sender: 'not an address' } }))).toMatchObject({ code: 'bad_value' });
    expect(problem(verify({ options: { heloName: 'bad name!' } }))).toMatchObject({ code: 'bad_value' });
  });

  it('refuses a bad proxy URL and says why', () => {
    expect(problem(verify({ options: { proxy: 'http://127.0.0.1:8080' } }))).toMatchObject({
      code: 'bad_value',
      message: expect.stringContaining('socks5'),
    });
    expect(problem(verify({ options: { proxy: 'socks5://127.0.0.1' } }))).toMatchObject({
      code: 'bad_value',
      message: expect.stringContaining('port'),
    });
    expect(problem(verify({ options: { proxy: 'not a url' } }))).toMatchObject({ code: 'bad_value' });
    expect(request(verify({ options: { proxy: '' } }))).toMatchObject({ options: { proxy: '' } });
  });

  it('needs a cancel target', () => {
    expect(problem({ type: 'cancel', id: 'c' })).toEqual({
      code: 'missing_field',
      message: 'missing field `target`',
      id: 'c',
    });
    expect(problem({ type: 'cancel', id: 'c', target: {} })).toMatchObject({
      code: 'wrong_type',
      message: '`target` must be a string or a number, not an object',
    });
  });
});

describe('validateRequest: the requesting site', () => {
  it.each([
    'https://example.com',
    'http://example.com:8080',
    'https://xn--bcher-kva.example',
    'http://127.0.0.1:3000',
    'https://[::1]:8443',
  ])('reads the origin %s', (site) => {
    expect(request(verify({ site }))).toEqual({ type: 'verify', id: 'v1', addresses: ['a@b.example'], site });
  });

  it('leaves site out when it is absent (the user asked)', () => {
    expect(request(verify())).not.toHaveProperty('site');
  });

  it.each([
    ['https://example.com/', 'a trailing slash'],
    ['https://example.com/page', 'a path'],
    ['https://Example.com', 'an upper-case host'],
    ['https://example.com:443', 'the default port'],
    ['https://user@example.com', 'user info'],
    ['https://example.com?x=1', 'a query'],
    ['https://bücher.example', 'a host not in punycode'],
    ['chrome-extension://abcdefghijklmnopabcdefghijklmnop', 'an extension page'],
    ['file:///etc', 'a file URL'],
    ['null', 'an opaque origin'],
    ['', 'an empty string'],
    ['example.com', 'no scheme'],
    [' https://example.com', 'white space'],
  ])('refuses %j (%s) as bad_value', (site) => {
    expect(problem(verify({ site }))).toMatchObject({
      code: 'bad_value',
      id: 'v1',
      message: expect.stringContaining('`site`'),
    });
  });

  it('refuses a site of the wrong type, and one over the length cap', () => {
    expect(problem(verify({ site: 42 }))).toMatchObject({
      code: 'wrong_type',
      message: '`site` must be a string, not a number',
    });
    const long = `https://${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.example`;
    expect(long.length).toBeGreaterThan(LIMITS.maxSiteLength);
    expect(problem(verify({ site: long }))).toMatchObject({
      code: 'bad_value',
      message: expect.stringContaining(`${LIMITS.maxSiteLength} characters`),
    });
  });
});
