import { describe, expect, it } from 'vitest';
import { fleetSite, projectBase, ROOT_SITE, routePath, siteUrl, splitProjectPath } from '../../../src/web/paths.js';

describe('the URLs of the pages', () => {
  it('are at the root on a single project server, and under /p/NAME on a fleet', () => {
    expect(siteUrl(ROOT_SITE, '/')).toBe('/');
    expect(siteUrl(ROOT_SITE, '/agents/builder')).toBe('/agents/builder');
    expect(siteUrl(fleetSite('web'), '/')).toBe('/p/web/');
    expect(siteUrl(fleetSite('web'), '/api/status')).toBe('/p/web/api/status');
    expect(siteUrl(fleetSite('web'), 'phase')).toBe('/p/web/phase');
    expect(fleetSite('web').fleet).toBe('/');
    expect(ROOT_SITE.fleet).toBeNull();
  });

  it('encode a name as one path segment, whatever is in it', () => {
    expect(projectBase('<img src=x onerror=alert(1)>')).toBe('/p/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E');
    expect(projectBase('a/b?c#d%')).toBe('/p/a%2Fb%3Fc%23d%25');
  });
});

describe('a path of the fleet', () => {
  it.each([
    ['/p/web/', { name: 'web', rest: '/' }],
    ['/p/web', { name: 'web', rest: '/' }],
    ['/p/web/agents/builder', { name: 'web', rest: '/agents/builder' }],
    ['/p/%3Cb%3E%20x/api/status', { name: '<b> x', rest: '/api/status' }],
    // a browser leaves some characters as they are that encodeURIComponent encodes: the same name
    ['/p/a=b,c/', { name: 'a=b,c', rest: '/' }],
    ['/p/100%25/', { name: '100%', rest: '/' }],
  ])('%s is a project and the path within it', (path, expected) => {
    expect(splitProjectPath(path)).toEqual(expected);
  });

  it.each(['/', '/p/', '/p', '/api/fleet', '/px/web/', '/p/%E0%A4%A/'])('%s is no project path', (path) => {
    expect(splitProjectPath(path)).toBeNull();
  });

  it("is routed within the project's prefix, decoded as on a single project server", () => {
    const site = fleetSite('<b> x');
    expect(routePath(site, 'http://127.0.0.1:7420/p/%3Cb%3E%20x/agents/some%20one?x=1')).toBe('/agents/some one');
    expect(routePath(site, 'http://127.0.0.1:7420/p/%3Cb%3E%20x')).toBe('/');
    expect(routePath(ROOT_SITE, 'http://127.0.0.1:7420/agents/builder')).toBe('/agents/builder');
  });
});
