import { describe, expect, it } from 'vitest';
import { acceptAddress, findAddresses } from '../../native-host/shared/address/find-addresses.js';
import { mailtoRecipients } from '../../native-host/shared/address/mailto.js';

function addresses(text: string): string[] {
  return findAddresses(text).map((found) => found.address);
}

describe('findAddresses: real addresses', () => {
  it('finds an address in prose, with its offsets', () => {
    const text = 'Write to alice@acme.test today.';
    const [found] = findAddresses(text);
    expect(found).toEqual({ address: 'alice@acme.test', start: 9, end: 24 });
    expect(text.slice(found?.start, found?.end)).toBe('alice@acme.test');
  });

  it('finds several, in order', () => {
    expect(addresses('bob@acme.test, carol@aonly.test; anyone@catchall.test')).toEqual([
      'bob@acme.test',
      'carol@aonly.test',
      'anyone@catchall.test',
    ]);
  });

  it('normalizes like the engine: domain lower-case, local part as written', () => {
    expect(addresses('Mail Alice.Smith+orders@ACME.Test now')).toEqual(['Alice.Smith+orders@acme.test']);
  });

  it.each([
    ['a sentence end', 'Reach someone@nullmx.test.', 'someone@nullmx.test'],
    ['brackets', '(gina@greylist.test)', 'gina@greylist.test'],
    ['angle brackets', 'Alice <alice@acme.test>', 'alice@acme.test'],
    ['quotes', '"bob@acme.test"', 'bob@acme.test'],
    ['a mailto: prefix in text', 'mailto:bob@acme.test', 'bob@acme.test'],
    ['a label before a colon', 'Email:carol@aonly.test', 'carol@aonly.test'],
    ['Chinese prose without spaces', '请发邮件到alice@acme.test，谢谢', 'alice@acme.test'],
    ['a Unicode domain', 'user@bücher.example', 'user@xn--bcher-kva.example'],
    ['an IDN top-level domain', '用户 user@例子.广告', 'user@xn--fsqu00a.xn--4rr70v'],
    ['an apostrophe in the local part', "o'brien@acme.test", "o'brien@acme.test"],
  ])('around %s', (_name, text, address) => {
    expect(addresses(text)).toEqual([address]);
  });

  it('gives the offsets of the trimmed address in CJK prose', () => {
    const text = '请发邮件到alice@acme.test，谢谢';
    const [found] = findAddresses(text);
    expect(text.slice(found?.start, found?.end)).toBe('alice@acme.test');
  });

  it('skips text without "@" cheaply', () => {
    expect(findAddresses('no address here at all')).toEqual([]);
  });
});

describe('findAddresses: look-alikes get nothing', () => {
  it.each([
    'logo@2x.png',
    'logo@3x.png',
    'sprite@2x.webp',
    'icon@2x.svg',
    'banner@1.5x.jpg',
    'photo@2x.jpeg',
    'anim@2x.gif',
    'theme@2x.css',
    'bundle@4.1.js',
    'bundle@4.1.js.map',
    'data@2x.json',
    'image@2x.example',
    'user@localhost',
    'admin@intranet',
    '@handle',
    'follow @acme on social media',
    'pkg@1.2.3',
    'npm install acme-widgets@2.4.0',
    '@types/node@20.11.5',
    'react@18.2.0-beta.1',
    'lib@1.2.beta',
    'pkg@^1.2.3',
    'https://x.com/@user',
    'https://medium.com/@alice/post',
    'https://acme.test/share?to=bob@acme.test',
    'ftp://alice:secret@acme.test/pub/',
    'git@acme.test:widgets/core.git',
    'alice@acme.test/path',
    'a@b@acme.test',
    'user@[192.0.2.1]',
    'alice@acme.test1',
  ])('%s', (text) => {
    expect(addresses(text)).toEqual([]);
  });
});

describe('acceptAddress', () => {
  it('uses the engine parser and the look-alike rules', () => {
    expect(acceptAddress(' bob@ACME.test ')).toBe('bob@acme.test');
    expect(acceptAddress('logo@2x.png')).toBeNull();
    expect(acceptAddress('not an address')).toBeNull();
    expect(acceptAddress('a@x.test\r\nRSET')).toBeNull();
  });
});

describe('mailtoRecipients (RFC 6068)', () => {
  it.each([
    ['mailto:alice@acme.test', ['alice@acme.test']],
    ['MAILTO:Someone@NullMX.test', ['Someone@nullmx.test']],
    ['mailto:bob@acme.test?subject=Order%20%2342&body=Hi', ['bob@acme.test']],
    ['mailto:carol%40aonly.test', ['carol@aonly.test']],
    [
      'mailto:anyone@catchall.test,gina@greylist.test?cc=nobody@acme.test',
      ['anyone@catchall.test', 'gina@greylist.test'],
    ],
    ['mailto:anyone@catchall.test%2C%20gina@greylist.test', ['anyone@catchall.test', 'gina@greylist.test']],
    ['mailto:Alice%20Example%20%3Calice@acme.test%3E', ['alice@acme.test']],
    ['mailto:alice@acme.test,alice@acme.test', ['alice@acme.test']],
    ['mailto:bob@acme.test#top', ['bob@acme.test']],
    ['mailto:bob%40acme.test,%ZZ', ['bob@acme.test']],
    ['mailto:?subject=Nothing', []],
    ['mailto:%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E@acme.test', []],
    ['https://acme.test/mailto:alice@acme.test', []],
    // "to" fields are recipients too (section 2), after those of the path; "+" is a plus sign.
    ['mailto:bob@acme.test?to=Carol%40AOnly.test&to=bob@acme.test', ['bob@acme.test', 'Carol@aonly.test']],
    ['mailto:?To=dave+news@acme.test&subject=x', ['dave+news@acme.test']],
    ['mailto:b%C3%BCro@m%C3%BCller.test', ['büro@xn--mller-kva.test']],
  ])('%s', (href, expected) => {
    expect(mailtoRecipients(href)).toEqual(expected);
  });
});
