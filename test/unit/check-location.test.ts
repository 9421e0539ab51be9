import { describe, expect, it } from 'vitest';
import { completeCheckLocation, permissionPattern, serverOrigin } from '../../extension/src/shared/check-location.js';

describe('where checks run', () => {
  it('takes a server origin over HTTPS, or plain HTTP to this machine only', () => {
    expect(serverOrigin(' https://MX-Lens.example.org/ ')).toEqual({ ok: true, origin: 'https://mx-lens.example.org' });
    expect(serverOrigin('https://mx.example.org:8443')).toEqual({ ok: true, origin: 'https://mx.example.org:8443' });
    expect(serverOrigin('http://localhost:8025')).toEqual({ ok: true, origin: 'http://localhost:8025' });
    expect(serverOrigin('http://mx.example.org')).toEqual({ ok: false, problem: 'insecure' });
    for (const bad of [
      'mx.example.org',
      'https://mx.example.org/v1/verify',
      'https://user:pw@mx.example.org',
      'ftp://mx.example.org',
      'https://mx.example.org/?a=1',
    ]) {
      expect(serverOrigin(bad), bad).toEqual({ ok: false, problem: 'invalid' });
    }
  });

  it('asks for the host permission of that origin, without the port (match patterns have none)', () => {
    expect(permissionPattern('https://mx.example.org:8443')).toBe('https://mx.example.org/*');
  });

  it('reads anything doubtful in storage as "this computer"', () => {
    expect(completeCheckLocation(undefined)).toEqual({ where: 'host' });
    expect(completeCheckLocation({ where: 'server', url: 'http://mx.example.org', key: 'k' })).toEqual({
      where: 'host',
    });
    expect(completeCheckLocation({ where: 'server', url: 'https://mx.example.org', key: '' })).toEqual({
      where: 'host',
    });
    expect(completeCheckLocation({ where: 'server', url: 'https://mx.example.org/', key: 'k' })).toEqual({
      where: 'server',
      url: 'https://mx.example.org',
      key: 'k',
    });
  });
});
