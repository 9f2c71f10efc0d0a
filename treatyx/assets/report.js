
(() => {
  const data = JSON.parse(document.getElementById('treatyx-data').textContent);
  const names = ['type', 'status', 'party', 'validation'];
  const control = (n) => document.getElementById('f-' + n);
  const cards = [...document.querySelectorAll('.card')];
  const marks = [...document.querySelectorAll('mark.hl[data-f]')];

  function matches(card, f) {
    const d = card.dataset;
    if (f.type && d.type !== f.type) return false;
    if (f.status && d.status !== f.status) return false;
    if (f.party && !d.parties.includes('|' + f.party + '|')) return false;
    if (f.validation === 'ok' && (d.checked !== '1' || +d.errors > 0)) return false;
    if (f.validation === 'errors' && !(+d.errors > 0)) return false;
    if (f.validation === 'warnings' && !(+d.warnings > 0)) return false;
    return true;
  }

  // The one filter routine: the controls and the URL fragment both end here.
  function applyFilters(f) {
    const active = names.some((n) => f[n]);
    const visible = new Set();
    for (const card of cards) {
      const ok = matches(card, f);
      card.hidden = !ok;
      if (ok) visible.add(card.id);
    }
    let docsShown = 0;
    for (const doc of document.querySelectorAll('section.doc')) {
      const any = doc.querySelector('.card:not([hidden])') !== null;
      doc.hidden = active && !any;
      if (!doc.hidden) docsShown += 1;
    }
    for (const m of marks) {
      m.classList.toggle('muted', active && !m.dataset.a.split(' ').some((a) => visible.has(a)));
    }
    document.getElementById('shown').textContent =
      `${visible.size} of ${cards.length} agreements in ${docsShown} of ` +
      `${document.querySelectorAll('section.doc').length} documents`;
    document.body.dataset.filter = names.filter((n) => f[n]).map((n) => n + '=' + f[n]).join('&');
  }

  function fromControls() {
    const f = {};
    for (const n of names) f[n] = control(n).value;
    return f;
  }

  function fromHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    for (const n of names) {
      const c = control(n);
      const v = params.get(n) || '';
      c.value = [...c.options].some((o) => o.value === v) ? v : '';
    }
    applyFilters(fromControls());
  }

  function onChange() {
    const f = fromControls();
    const q = new URLSearchParams();
    for (const n of names) if (f[n]) q.set(n, f[n]);
    history.replaceState(null, '', q.toString() ? '#' + q : location.pathname);
    applyFilters(f);
  }

  for (const n of names) control(n).addEventListener('change', onChange);
  document.getElementById('f-reset').addEventListener('click', () => {
    for (const n of names) control(n).value = '';
    onChange();
  });
  window.addEventListener('hashchange', fromHash);

  // Linking text and cards.
  const factIds = (el) => (el.dataset.f || '').split(' ').filter(Boolean);
  // A piece inside an evidence sentence stands for its own fact, not for the sentence.
  function primary(mark) {
    const ids = factIds(mark);
    const own = ids.filter((id) => data.facts[id] && data.facts[id].kind !== 'evidence');
    return own.length ? own : ids;
  }
  const cardsOf = (ids) => [...new Set(ids.map((id) => data.facts[id] && data.facts[id].card))];
  const linked = [];
  function link(ids, cardIds) {
    unlink();
    for (const id of ids) {
      for (const el of document.querySelectorAll(`[data-f~="${id}"]`)) {
        el.classList.add('active');
        linked.push([el, 'active']);
      }
    }
    for (const cid of cardIds) {
      const card = document.getElementById(cid);
      if (card) { card.classList.add('linked'); linked.push([card, 'linked']); }
    }
  }
  function unlink() {
    while (linked.length) { const [el, cls] = linked.pop(); el.classList.remove(cls); }
  }

  const pop = document.getElementById('popover');
  function showPopover(mark) {
    pop.replaceChildren();
    for (const id of primary(mark)) {
      const f = data.facts[id];
      if (!f) continue;
      const box = document.createElement('div');
      const head = document.createElement('b');
      head.textContent = f.kind + ': ';
      box.append(head, f.value);
      const line = (cls, text) => {
        const p = document.createElement('p');
        p.className = cls;
        p.textContent = text;
        box.append(p);
      };
      const quote = f.mention.length > 80 ? f.mention.slice(0, 77) + '…' : f.mention;
      line('where', `agreement ${f.agreement} · “${quote}”` +
        (f.span ? ` [${f.span[0]}, ${f.span[1]})` : '') + (f.moved ? ' (span moved)' : ''));
      for (const i of f.issues) line(i.severity, `${i.code} ${i.severity}: ${i.message}`);
      pop.append(box);
    }
    const r = mark.getBoundingClientRect();
    pop.hidden = false;
    const right = scrollX + innerWidth - pop.offsetWidth - 8;
    pop.style.left = Math.max(8, Math.min(r.left + scrollX, right)) + 'px';
    const below = r.bottom + 6 + pop.offsetHeight < innerHeight;
    pop.style.top = (below ? r.bottom + 6 : r.top - 6 - pop.offsetHeight) + scrollY + 'px';
  }

  let pinned = null;
  document.addEventListener('mouseover', (ev) => {
    if (pinned) return;
    const m = ev.target.closest('mark.hl[data-f]');
    const li = ev.target.closest('li.fact');
    const card = ev.target.closest('.card');
    if (m) link(primary(m), cardsOf(primary(m)));
    else if (li) link(factIds(li), [card.id]);
    else if (card) link(facts_of(card), [card.id]);
    else unlink();
  });
  const facts_of = (card) => [...card.querySelectorAll('li.fact')].flatMap(factIds);

  document.addEventListener('click', (ev) => {
    const m = ev.target.closest('mark.hl[data-f]');
    const li = ev.target.closest('li.fact');
    if (m) {
      pinned = m;
      link(primary(m), cardsOf(primary(m)));
      showPopover(m);
      const card = document.getElementById(cardsOf(primary(m))[0]);
      if (card) card.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      return;
    }
    pinned = null;
    pop.hidden = true;
    if (li) {
      const target = document.querySelector(`mark.hl[data-f~="${factIds(li)[0]}"]`);
      if (target) {
        target.scrollIntoView({ block: 'center', behavior: 'smooth' });
        target.classList.remove('flash');
        void target.offsetWidth;
        target.classList.add('flash');
      }
    }
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') { pinned = null; pop.hidden = true; unlink(); }
  });

  fromHash();
})();
