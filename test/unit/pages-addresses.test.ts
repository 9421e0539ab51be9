import { describe, expect, it } from 'vitest';
import { addressesInFile, looksLikeAddress, splitAddresses } from '../../extension/src/popup/addresses.js';

describe('splitAddresses', () => {
  it('splits on newlines, commas, semicolons and spaces', () => {
    const { addresses, invalid } = splitAddresses(
      'a@example.com\nb@example.com, c@example.com;d@example.com e@example.com\r\n\tf@example.com',
    );
    expect(addresses).toEqual([
      'a@example.com',
      'b@example.com',
      'c@example.com',
      'd@example.com',
      'e@example.com',
      'f@example.com',
    ]);
    expect(invalid).toEqual([]);
  });

  it('deduplicates, treating the domain case-insensitively', () => {
    const split = splitAddresses('Bob@Example.COM, Bob@example.com; bob@example.com Bob@example.com');
    expect(split.addresses).toEqual(['Bob@example.com', 'bob@example.com']);
    expect(split.duplicates).toBe(2);
  });

  it('returns tokens that are not addresses apart, as typed', () => {
    const split = splitAddresses('hello, a@example.com, @example.com, b@, c@localhost, x@@y.com, hello');
    expect(split.addresses).toEqual(['a@example.com']);
    expect(split.invalid).toEqual(['hello', '@example.com', 'b@', 'c@localhost', 'x@@y.com']);
  });

  it('drops mailto:, angle brackets and trailing punctuation', () => {
    const split = splitAddresses('<a@example.com>, mailto:b@example.com?subject=hi (c@example.com). "d@example.com"');
    expect(split.addresses).toEqual(['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com']);
  });

  it('keeps address literals and internationalized domains', () => {
    const split = splitAddresses('user@[192.0.2.1] 用户@例子.广告 x@BÜCHER.de');
    expect(split.addresses).toEqual(['user@[192.0.2.1]', '用户@例子.广告', 'x@bücher.de']);
  });

  it('ignores empty input', () => {
    expect(splitAddresses('  \n ,;; ')).toEqual({ addresses: [], invalid: [], duplicates: 0 });
  });

  it('refuses control characters and over-long addresses', () => {
    expect(looksLikeAddress('a\u0000b@example.com')).toBe(false);
    expect(looksLikeAddress(`${'a'.repeat(65)}@example.com`)).toBe(false);
    expect(looksLikeAddress(`a@${'b'.repeat(250)}.com`)).toBe(false);
    expect(looksLikeAddress('a@-bad.com')).toBe(false);
  });
});

describe('display names, as mail programs copy addresses', () => {
  it('takes the address out of Name <address> lines, names with commas in quotes too', () => {
    const split = splitAddresses(
      'Jane Doe <jane@example.com>\n"Doe, John" <john@example.com>, Zoë Ü <zoe@example.org>; plain@example.net',
    );
    expect(split.addresses).toEqual(['jane@example.com', 'john@example.com', 'zoe@example.org', 'plain@example.net']);
    expect(split.invalid).toEqual([]);
  });

  it('still reports a name with a broken address as invalid', () => {
    const split = splitAddresses('Jane Doe <jane@>');
    expect(split.addresses).toEqual([]);
    expect(split.invalid.length).toBeGreaterThan(0);
  });
});

describe('addressesInFile', () => {
  it('reads every cell of a CSV, quoted cells and display names included, and skips words without @', () => {
    const csv =
      '\uFEFFname,email,phone\r\n"Doe, Jane",jane@example.com,+1 555\r\nJohn;"John <john@example.com>";x\r\nbad,nobody@,1\r\n';
    const found = addressesInFile(csv);
    expect(found.addresses).toEqual(['jane@example.com', 'john@example.com']);
    expect(found.invalid).toEqual(['nobody@']);
  });

  it('reads a text file with one address per line', () => {
    expect(addressesInFile('a@example.com\n\nb@example.com\n').addresses).toEqual(['a@example.com', 'b@example.com']);
  });
});
