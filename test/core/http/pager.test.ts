import { expect } from 'chai';
import { pageParam, pager } from '../../../core/http/pager.js';

describe('pager', () => {
  it('reads ?page as a 0-based number, 0 when absent or malformed', () => {
    expect(pageParam({})).to.equal(0);
    expect(pageParam({ page: '3' })).to.equal(3);
    for (const bad of ['-1', '1.5', 'abc', '1e3', '', '9999999', ' 2']) expect(pageParam({ page: bad }), bad).to.equal(0);
  });

  it('links pages keeping the other query parameters, page 0 without ?page', () => {
    const p = pager('/list', { sort: 'name', page: '1' }, 25, 1, 10);
    expect(p).to.deep.include({ total: 25, page: 1, pages: 3, pageSize: 10, previous: '/list?sort=name', next: '/list?sort=name&page=2' });
    expect(p.links).to.deep.equal([
      { page: 0, href: '/list?sort=name', current: false },
      { page: 1, href: '/list?sort=name&page=1', current: true },
      { page: 2, href: '/list?sort=name&page=2', current: false },
    ]);
  });

  it('has one page and no links to follow for an empty list', () => {
    const p = pager('/list', {}, 0, 0, 10);
    expect(p).to.deep.include({ pages: 1, page: 0, previous: undefined, next: undefined });
    expect(p.links).to.deep.equal([{ page: 0, href: '/list', current: true }]);
  });

  it('clamps a page past the end to the last page', () => {
    const p = pager('/list', {}, 25, 50, 10);
    expect(p.page).to.equal(2);
    expect(p.next).to.equal(undefined);
    expect(p.previous).to.equal('/list?page=1');
  });

  it('shows at most nine page links around the current page', () => {
    const p = pager('/list', {}, 1000, 50, 10);
    expect(p.links.map((l) => l.page)).to.deep.equal([46, 47, 48, 49, 50, 51, 52, 53, 54]);
    expect(pager('/list', {}, 1000, 0, 10).links.map((l) => l.page)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(pager('/list', {}, 1000, 99, 10).links.map((l) => l.page)).to.deep.equal([91, 92, 93, 94, 95, 96, 97, 98, 99]);
  });

  it('encodes query values in the links', () => {
    const p = pager('/list', { q: 'a&b="<x>"' }, 20, 0, 10);
    expect(p.next).to.equal('/list?q=a%26b%3D%22%3Cx%3E%22&page=1');
  });
});
