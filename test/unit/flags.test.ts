import { describe, expect, it } from 'vitest';
import { isDisposableDomain } from '../../native-host/src/engine/flags/disposable.js';
import { isFreeProvider } from '../../native-host/src/engine/flags/free-provider.js';
import { computeFlags, suggestAddress } from '../../native-host/src/engine/flags/index.js';
import { isRoleAccount } from '../../native-host/src/engine/flags/role.js';
import { editDistance, suggestDomain } from '../../native-host/src/engine/flags/suggestion.js';

describe('isDisposableDomain', () => {
  it.each(['mailinator.com', 'yopmail.com', 'guerrillamail.com', 'MAILINATOR.COM'])('%s is disposable', (domain) => {
    expect(isDisposableDomain(domain)).toBe(true);
  });

  it.each(['sub.mailinator.com', 'a.b.yopmail.com'])('subdomain %s is disposable', (domain) => {
    expect(isDisposableDomain(domain)).toBe(true);
  });

  it.each(['gmail.com', 'example.com', 'outlook.com', 'mailinator.com.example.org', 'com', ''])(
    '%j is not disposable',
    (domain) => {
      expect(isDisposableDomain(domain)).toBe(false);
    },
  );
});

describe('isFreeProvider', () => {
  it.each(['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'gmx.de', 'mail.ru', 'GMAIL.COM'])(
    '%s is a free provider',
    (domain) => {
      expect(isFreeProvider(domain)).toBe(true);
    },
  );

  it.each(['example.com', 'mail.gmail.com', 'sub.yahoo.com', 'gmail.com.example.org'])(
    '%s is not (exact match only)',
    (domain) => {
      expect(isFreeProvider(domain)).toBe(false);
    },
  );
});

describe('isRoleAccount', () => {
  it.each([
    'info',
    'admin',
    'administrator',
    'sales',
    'support',
    'help',
    'contact',
    'office',
    'billing',
    'accounts',
    'noreply',
    'no-reply',
    'postmaster',
    'hostmaster',
    'webmaster',
    'abuse',
    'security',
    'marketing',
    'hr',
    'jobs',
    'careers',
    'press',
    'team',
    'hello',
    'enquiries',
  ])('%s is a role account', (localPart) => {
    expect(isRoleAccount(localPart)).toBe(true);
  });

  it('ignores case and a +tag', () => {
    expect(isRoleAccount('INFO')).toBe(true);
    expect(isRoleAccount('Support+eu')).toBe(true);
    expect(isRoleAccount('sales+leads+2024')).toBe(true);
  });

  it.each(['john', 'jane.doe', 'information', 'info.desk', 'myinfo', 'tag+info', ''])(
    '%j is not a role account',
    (localPart) => {
      expect(isRoleAccount(localPart)).toBe(false);
    },
  );
});

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['', 'abc', 3],
    ['gmail', 'gmail', 0],
    ['gmial', 'gmail', 1],
    ['gmai', 'gmail', 1],
    ['gnail', 'gmail', 1],
    ['gmaill', 'gmail', 1],
    ['kitten', 'sitting', 3],
    ['ca', 'abc', 3],
    ['hotmail', 'foxmail', 2],
  ])('%j → %j is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('suggestDomain', () => {
  it.each([
    ['gmial.com', 'gmail.com'],
    ['gmai.com', 'gmail.com'],
    ['gnail.com', 'gmail.com'],
    ['gamil.com', 'gmail.com'],
    ['gmaill.com', 'gmail.com'],
    ['hotmial.com', 'hotmail.com'],
    ['hotmai.com', 'hotmail.com'],
    ['yaho.com', 'yahoo.com'],
    ['yhaoo.com', 'yahoo.com'],
    ['outlok.com', 'outlook.com'],
    ['iclod.com', 'icloud.com'],
    ['googlemial.com', 'googlemail.com'],
    ['gogglemail.com', 'googlemail.com'],
    ['protonmial.com', 'protonmail.com'],
    ['comcats.net', 'comcast.net'],
    ['yandx.ru', 'yandex.ru'],
    ['tonline.de', 't-online.de'],
    ['yaoo.co.uk', 'yahoo.co.uk'],
    ['hotmial.co.uk', 'hotmail.co.uk'],
    ['yahho.fr', 'yahoo.fr'],
  ])('%s → %s (misspelled name)', (typed, expected) => {
    expect(suggestDomain(typed)).toBe(expected);
  });

  it.each([
    ['gmail.con', 'gmail.com'],
    ['gmail.cmo', 'gmail.com'],
    ['gmail.ocm', 'gmail.com'],
    ['gmail.comm', 'gmail.com'],
    ['gmail.cm', 'gmail.com'],
    ['gmail.co', 'gmail.com'],
    ['hotmail.co', 'hotmail.com'],
    ['yahoo.co', 'yahoo.com'],
    ['gmailc.om', 'gmail.com'],
    ['gmx.nte', 'gmx.net'],
    ['aol.con', 'aol.com'],
    ['qq.con', 'qq.com'],
    ['gmial.con', 'gmail.com'],
  ])('%s → %s (misspelled suffix)', (typed, expected) => {
    expect(suggestDomain(typed)).toBe(expected);
  });

  it('ignores case', () => {
    expect(suggestDomain('GMIAL.COM')).toBe('gmail.com');
  });

  it('prefers the closest provider', () => {
    // One slip from mail.com, two from gmail.com.
    expect(suggestDomain('mail.con')).toBe('mail.com');
    expect(suggestDomain('ymail.con')).toBe('ymail.com');
  });

  it('prefers the more popular provider when two are equally close', () => {
    // One slip from both gmail.com and ymail.com.
    expect(suggestDomain('xmail.com')).toBe('gmail.com');
  });

  it.each(['gmail.com', 'yahoo.co.uk', 'hotmail.com', 'gmx.net', 'web.de', 'proton.me'])(
    'never corrects the known provider %s',
    (domain) => {
      expect(suggestDomain(domain)).toBeNull();
    },
  );

  it.each(['ymail.com', 'email.com', 'foxmail.com', 'hotmail.de', 'hotmail.ca', 'outlook.de', 'yahoo.co.jp', 'gmx.fr'])(
    'never corrects %s, a real free provider of its own',
    (domain) => {
      expect(isFreeProvider(domain)).toBe(true);
      expect(suggestDomain(domain)).toBeNull();
    },
  );

  it.each([
    'example.com',
    'company.co',
    'hive.com',
    'aoll.com',
    'wbe.de',
    'mail.gmial.com',
    'mailinator.com',
    'yopmail.com',
    '[192.0.2.1]',
    'gmail',
    '',
  ])('says nothing for %j', (domain) => {
    expect(suggestDomain(domain)).toBeNull();
  });
});

describe('computeFlags', () => {
  it('flags a role account at a free provider', () => {
    expect(computeFlags('info', 'gmail.com')).toEqual({ disposable: false, role: true, free: true });
  });

  it('flags a disposable domain', () => {
    expect(computeFlags('someone', 'sub.mailinator.com')).toEqual({
      disposable: true,
      role: false,
      free: false,
    });
  });

  it.each(['gmial.com', 'hotmial.com', 'yaho.com'])(
    'calls typo domain %s neither disposable nor free: the suggestion says it',
    (domain) => {
      // These sit on the lists (squatters registered them); the flags would bury the hint.
      expect(isDisposableDomain(domain) || isFreeProvider(domain)).toBe(true);
      expect(suggestAddress('bob', domain)).not.toBeNull();
      expect(computeFlags('bob', domain)).toEqual({ disposable: false, role: false, free: false });
    },
  );

  it('flags nothing for a personal address at a company domain', () => {
    expect(computeFlags('jane.doe', 'example.com')).toEqual({
      disposable: false,
      role: false,
      free: false,
    });
  });
});

describe('suggestAddress', () => {
  it('keeps the local part and corrects the domain', () => {
    expect(suggestAddress('Jane.Doe+news', 'gmial.com')).toBe('Jane.Doe+news@gmail.com');
    expect(suggestAddress('bob', 'hotmail.con')).toBe('bob@hotmail.com');
  });

  it('returns null when there is nothing to correct', () => {
    expect(suggestAddress('bob', 'gmail.com')).toBeNull();
    expect(suggestAddress('bob', 'example.com')).toBeNull();
  });
});
