import { describe, expect, it } from 'vitest';
import { invalidSyntaxResult, parseAddress, type ParsedAddress } from '../../native-host/shared/address/syntax.js';
import { decide } from '../../native-host/src/engine/judge.js';

function parsed(input: string): ParsedAddress {
  const result = parseAddress(input);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(input)} to be valid: ${result.problem}`);
  return result;
}

function problemOf(input: string): string {
  const result = parseAddress(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be invalid`);
  return result.problem;
}

describe('parseAddress: valid addresses', () => {
  it.each([
    ['user@example.com', 'user@example.com'],
    ['first.last@example.com', 'first.last@example.com'],
    ['user+tag@example.com', 'user+tag@example.com'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['a!#$%&*+-/=?^_`{|}~@example.org', 'a!#$%&*+-/=?^_`{|}~@example.org'],
    ['x@a.b.c.example.co.uk', 'x@a.b.c.example.co.uk'],
    ['x@ab--cd.example', 'x@ab--cd.example'],
    ['x@1.2.3.example', 'x@1.2.3.example'],
    ['x@example.xn--p1ai', 'x@example.xn--p1ai'],
    ['logo@2x.png', 'logo@2x.png'],
    ['  padded@example.com\t', 'padded@example.com'],
  ])('%s', (input, normalized) => {
    const result = parsed(input);
    expect(result.normalized).toBe(normalized);
    expect(result.domainLiteral).toBe(false);
    expect(result.literalIp).toBeNull();
    expect(result.asciiLocalPart).toBe(true);
  });

  it('splits local part and domain', () => {
    const result = parsed('Some.One@Example.COM');
    expect(result.localPart).toBe('Some.One');
    expect(result.domain).toBe('example.com');
  });

  it('lower-cases the domain but keeps the case of the local part', () => {
    expect(parsed('John.Smith@EXAMPLE.Com').normalized).toBe('John.Smith@example.com');
  });

  it('converts a Unicode domain to its ASCII form', () => {
    const result = parsed('user@bücher.example');
    expect(result.domain).toBe('xn--bcher-kva.example');
    expect(result.normalized).toBe('user@xn--bcher-kva.example');
    expect(result.asciiLocalPart).toBe(true);
  });

  it('lower-cases an A-label domain', () => {
    expect(parsed('user@XN--BCHER-KVA.example').domain).toBe('xn--bcher-kva.example');
  });

  it('converts a CJK domain', () => {
    expect(parsed('user@日本.jp').domain).toBe('xn--wgv71a.jp');
  });

  it('marks a non-ASCII local part as needing SMTPUTF8', () => {
    const result = parsed('jöhn@example.com');
    expect(result.localPart).toBe('jöhn');
    expect(result.asciiLocalPart).toBe(false);
  });

  it('accepts a fully non-ASCII address', () => {
    const result = parsed('用户@例子.广告');
    expect(result.asciiLocalPart).toBe(false);
    expect(result.domain).toBe('xn--fsqu00a.xn--4rr70v');
  });

  it.each([
    ['"john doe"@example.com', '"john doe"'],
    ['"a\\"b"@example.com', '"a\\"b"'],
    ['"a@b"@example.com', '"a@b"'],
    ['"a..b"@example.com', '"a..b"'],
    ['"<weird>"@example.com', '"<weird>"'],
    ['"back\\\\slash"@example.com', '"back\\\\slash"'],
    ['""@example.com', '""'],
  ])('accepts the quoted local part %s', (input, localPart) => {
    const result = parsed(input);
    expect(result.localPart).toBe(localPart);
    expect(result.domain).toBe('example.com');
    expect(result.normalized).toBe(`${localPart}@example.com`);
  });

  it('accepts non-ASCII inside a quoted local part', () => {
    expect(parsed('"jöhn doe"@example.com').asciiLocalPart).toBe(false);
  });

  it('accepts an IPv4 domain literal', () => {
    const result = parsed('user@[192.0.2.1]');
    expect(result.domainLiteral).toBe(true);
    expect(result.literalIp).toBe('192.0.2.1');
    expect(result.domain).toBe('[192.0.2.1]');
    expect(result.normalized).toBe('user@[192.0.2.1]');
  });

  it('accepts an IPv6 domain literal and normalises its case', () => {
    const result = parsed('user@[ipv6:2001:DB8::1]');
    expect(result.domainLiteral).toBe(true);
    expect(result.literalIp).toBe('2001:db8::1');
    expect(result.normalized).toBe('user@[IPv6:2001:db8::1]');
  });

  it('accepts an IPv4-mapped IPv6 literal', () => {
    expect(parsed('user@[IPv6:::ffff:192.0.2.1]').literalIp).toBe('::ffff:192.0.2.1');
  });

  it('accepts a 64-octet local part', () => {
    expect(parsed(`${'a'.repeat(64)}@example.com`).localPart).toHaveLength(64);
  });

  it('accepts a 254-octet address', () => {
    const domain = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    const address = `${'a'.repeat(64)}@${domain}`;
    expect(address).toHaveLength(254);
    expect(parsed(address).normalized).toBe(address);
  });

  it('accepts a 63-octet label', () => {
    expect(parsed(`a@${'x'.repeat(63)}.com`).domain).toBe(`${'x'.repeat(63)}.com`);
  });
});

describe('parseAddress: hostile input never gets through', () => {
  it.each([
    'a@x.test>\r\nRSET',
    'a@x.test\r\nRCPT TO:<b@y.test>',
    'a@x.test\nQUIT',
    'a@x.test\r',
    'a\r\n@x.test',
    'a@x.te\u0000st',
    'a\u0000@x.test',
    'a@x.test\u0000',
    'a\tb@x.test',
    'a@x\t.test',
    '"a\r\nb"@x.test',
    '"a\u0000b"@x.test',
    '"a\tb"@x.test',
    '"a\u007fb"@x.test',
    'a\u007f@x.test',
    'a\u0085@x.test',
    'a\u009b@x.test',
    'a\u001b[31m@x.test',
  ])('rejects control characters in %j', (input) => {
    expect(problemOf(input)).toMatch(/control character/);
  });

  it.each(['<a@x.test>', 'a@x.test>', 'a<b@x.test', 'a@<x.test', 'a@x.test> SIZE=1', 'Name <a@x.test>'])(
    'rejects angle brackets outside quotes in %j',
    (input) => {
      expect(parseAddress(input).ok).toBe(false);
    },
  );

  it.each(['a b@x.test', 'a@x .test', 'a@x.test SIZE=100', 'a\u00a0b@x.test', 'a\u2028b@x.test'])(
    'rejects a space outside quotes in %j',
    (input) => {
      expect(problemOf(input)).toMatch(/space/);
    },
  );

  it('rejects a lone surrogate', () => {
    expect(problemOf('a\ud800@x.test')).toBe('the address is not valid Unicode text');
  });

  it('reports the angle bracket by name', () => {
    expect(problemOf('a@x.test>')).toBe('the domain contains ">"');
    expect(problemOf('<a@x.test')).toBe('the local part contains "<" outside quotes');
  });
});

describe('parseAddress: invalid addresses', () => {
  it.each([
    ['', 'the address is empty'],
    ['   ', 'the address is empty'],
    ['plainaddress', 'the address has no "@"'],
    ['a@b@example.com', 'the address has more than one "@" outside quotes'],
    ['"a"@b@example.com', 'the address has more than one "@" outside quotes'],
    ['@example.com', 'the local part (before "@") is empty'],
    ['user@', 'the domain (after "@") is empty'],
    ['.user@example.com', 'the local part starts or ends with a dot'],
    ['user.@example.com', 'the local part starts or ends with a dot'],
    ['us..er@example.com', 'the local part has two dots in a row'],
    ['a"b@example.com', 'the local part contains """ outside quotes'],
    ['a(b)@example.com', 'the local part contains "(" outside quotes'],
    ['a,b@example.com', 'the local part contains "," outside quotes'],
    ['a\\b@example.com', 'the local part contains "\\" outside quotes'],
    ['"unterminated@example.com', 'the quoted local part has no closing quote'],
    ['"a\\"@example.com', 'the quoted local part has no closing quote'],
    ['"a"b@example.com', 'a quoted local part must be followed directly by "@"'],
    ['"a".b@example.com', 'a quoted local part must be followed directly by "@"'],
    ['"a"b"@example.com', 'a quoted local part must be followed directly by "@"'],
    ['"a\\é"@example.com', 'a backslash in the quoted local part must escape a printable ASCII character'],
    ['user@localhost', 'the domain needs at least one dot (like example.com)'],
    ['a@b', 'the domain needs at least one dot (like example.com)'],
    ['user@example.com.', 'the domain ends with a dot'],
    ['user@example。com。', 'the domain ends with a dot'],
    ['user@.example.com', 'the domain starts with a dot'],
    ['user@example..com', 'the domain has two dots in a row'],
    ['user@-example.com', 'a domain label starts or ends with a hyphen'],
    ['user@example-.com', 'a domain label starts or ends with a hyphen'],
    ['user@exa_mple.com', 'the domain contains "_"'],
    ['user@example.123', 'the domain is not a valid host name'],
    ['user@1.2.3.4', 'the top-level domain cannot be all digits'],
    ['user@0x7f.1', 'the top-level domain cannot be all digits'],
    ['user@xn--zz.com', 'the domain is not a valid host name'],
    ['user@[192.0.2.1', 'the domain literal has no closing "]"'],
    ['user@[192.0.2.256]', 'the domain literal is not a valid IPv4 address'],
    ['user@[192.0.2]', 'the domain literal is not a valid IPv4 address'],
    ['user@[2001:db8::1]', 'only IPv4 and IPv6 addresses are supported inside "[...]"'],
    ['user@[x-tag:content]', 'only IPv4 and IPv6 addresses are supported inside "[...]"'],
    ['user@[IPv6:192.0.2.1]', 'the domain literal is not a valid IPv6 address'],
    ['user@[IPv6:fe80::1%eth0]', 'the domain literal is not a valid IPv6 address'],
    ['user@[IPv6:2001:db8::g]', 'the domain literal is not a valid IPv6 address'],
    ['user@[example.com]', 'the domain literal is not a valid IPv4 address'],
  ])('%j: %s', (input, problem) => {
    expect(problemOf(input)).toBe(problem);
  });

  it('rejects a 65-octet local part', () => {
    expect(problemOf(`${'a'.repeat(65)}@example.com`)).toBe('the local part is longer than 64 octets');
  });

  it('counts local-part length in UTF-8 octets, not characters', () => {
    // 33 × "ö" is 33 characters but 66 octets.
    expect(problemOf(`${'ö'.repeat(33)}@example.com`)).toBe('the local part is longer than 64 octets');
    expect(parsed(`${'ö'.repeat(32)}@example.com`).asciiLocalPart).toBe(false);
  });

  it('rejects a 255-octet address', () => {
    const domain = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.com`;
    const address = `${'a'.repeat(64)}@${domain}`;
    expect(address).toHaveLength(255);
    expect(problemOf(address)).toBe('the address is longer than 254 octets');
  });

  it('rejects a 64-octet label', () => {
    expect(problemOf(`a@${'x'.repeat(64)}.com`)).toBe('a domain label is longer than 63 octets');
  });

  it('rejects a domain longer than 253 octets', () => {
    const domain = Array.from({ length: 4 }, () => 'x'.repeat(63)).join('.');
    expect(domain).toHaveLength(255);
    expect(problemOf(`a@${domain}`)).toBe('the domain is longer than 253 octets');
  });
});

describe('invalidSyntaxResult', () => {
  it("is the judge's decision for a syntax problem", () => {
    const { verdict, reason, rule } = invalidSyntaxResult('a@', 'the domain (after "@") is empty');
    expect({ verdict, reason, rule }).toEqual(decide('syntax-invalid'));
  });
});
