// The socket address the page derives from its own location: same origin, wss: under https.
import { describe, expect, test } from 'vitest';
import { probeUrl, socketUrl } from './useInterview.js';

describe('socketUrl', () => {
  test('connects to /v1 on the page\'s own host, ws: over http and wss: over https', () => {
    expect(socketUrl('abc', { protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/v1?token=abc');
    expect(socketUrl('abc', { protocol: 'https:', host: 'interviews.example.org' })).toBe('wss://interviews.example.org/v1?token=abc');
  });

  test('a token with characters that mean something in a URL arrives intact', () => {
    const url = socketUrl('a+b/c=d&e', { protocol: 'https:', host: 'h' });
    expect(new URL(url).searchParams.get('token')).toBe('a+b/c=d&e');
  });

  test('the invalid-link probe asks the same address over plain HTTP(S)', () => {
    expect(probeUrl('wss://h/v1?token=x')).toBe('https://h/v1?token=x');
    expect(probeUrl('ws://h:1/v1?token=x')).toBe('http://h:1/v1?token=x');
  });
});
