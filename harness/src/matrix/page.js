// matrix.html's script: opens cells to their cases (click, Enter or Space, or a link
// #open=ROW@TARGET), filters rows, and checks every cell's counts against the embedded
// matrix.json. It reports in #page-status: data-state "ready", or "error" with the
// messages in data-errors (a JSON list).
(function () {
  'use strict';
  const STATUSES = ['pass', 'fail', 'expected_fail', 'not_applicable', 'unsupported'];
  const LABELS = {
    pass: 'pass',
    fail: 'fail',
    expected_fail: 'expected fail',
    not_applicable: 'not applicable',
    unsupported: 'unsupported',
  };
  // Not passing first, in this order; then passes; then not applicable.
  const ORDER = { fail: 0, unsupported: 1, expected_fail: 2, pass: 3, not_applicable: 4 };

  const status = document.getElementById('page-status');
  const errors = [];
  const data = JSON.parse(document.getElementById('matrix-data').textContent);

  const cases = new Map(data.cases.map((c) => [c.id, c]));
  const rows = new Map(data.rows.map((r) => [r.kind + ':' + r.id, r]));
  rows.set('total:all', {
    kind: 'total',
    id: 'all',
    title: 'All cases',
    cases: data.cases.map((c) => c.id),
  });

  function element(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function recount(row, target) {
    const counts = {};
    STATUSES.forEach((s) => { counts[s] = 0; });
    row.cases.forEach((id) => {
      const c = cases.get(id);
      const result = c && c.results[target];
      if (result) counts[result.status] += 1;
    });
    return counts;
  }

  function describe(counts) {
    const parts = STATUSES.filter((s) => counts[s] > 0).map((s) => counts[s] + ' ' + LABELS[s]);
    return parts.length ? parts.join(', ') : 'no cases';
  }

  // A unified diff, one span per line, coloured by its first character.
  function diffBlock(diff) {
    const pre = element('pre', 'diff');
    pre.dataset.channel = diff.channel;
    diff.diff.split('\n').forEach((line, i, all) => {
      if (i === all.length - 1 && line === '') return;
      let kind = 'ctx';
      if (i === 0 && line.startsWith('channel ')) kind = 'head';
      else if (line.startsWith('@@')) kind = 'hunk';
      else if (line.startsWith('-') && !line.startsWith('---')) kind = 'del';
      else if (line.startsWith('+') && !line.startsWith('+++')) kind = 'add';
      pre.appendChild(element('span', kind, line === '' ? ' ' : line));
    });
    return pre;
  }

  function detail(row, target) {
    const box = element('div', 'cases');
    const rowName = row.kind === 'total' ? 'All cases' : row.kind + ' ' + row.id;
    box.appendChild(element('h3', null, rowName + ' on ' + target + ': ' + describe(recount(row, target))));
    const list = element('ul');
    const members = row.cases
      .map((id) => cases.get(id))
      .filter((c) => c && c.results[target])
      .sort((a, b) => (ORDER[a.results[target].status] - ORDER[b.results[target].status])
        || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    members.forEach((c) => {
      const result = c.results[target];
      const item = element('li', 'case');
      item.dataset.id = c.id;
      item.dataset.status = result.status;
      item.appendChild(element('span', 'badge ' + result.status, LABELS[result.status]));
      item.appendChild(element('code', null, c.id));
      if (c.title) item.appendChild(element('span', 'case-title', c.title));
      if (result.detail && result.status !== 'pass') {
        item.appendChild(element('div', 'why', result.verdict + ' — ' + result.detail));
      }
      (result.diffs || []).forEach((d) => item.appendChild(diffBlock(d)));
      list.appendChild(item);
    });
    if (!members.length) list.appendChild(element('li', null, 'No case.'));
    box.appendChild(list);
    return box;
  }

  function close(td) {
    td.setAttribute('aria-expanded', 'false');
    const next = td.parentElement.nextElementSibling;
    if (next && next.classList.contains('detail') && next.dataset.for === keyOf(td)) next.remove();
  }

  function keyOf(td) {
    return encodeURIComponent(td.dataset.row) + '@' + encodeURIComponent(td.dataset.target);
  }

  function open(td) {
    const tr = td.parentElement;
    const next = tr.nextElementSibling;
    if (next && next.classList.contains('detail')) {
      // Another cell of this row was open: close it first.
      tr.querySelectorAll('td.cell[aria-expanded="true"]').forEach((o) => o.setAttribute('aria-expanded', 'false'));
      next.remove();
    }
    const row = rows.get(td.dataset.row);
    const line = element('tr', 'detail');
    line.dataset.for = keyOf(td);
    const cell = element('td');
    cell.colSpan = Array.from(tr.cells).reduce((n, c) => n + c.colSpan, 0);
    cell.appendChild(detail(row, td.dataset.target));
    line.appendChild(cell);
    tr.after(line);
    td.setAttribute('aria-expanded', 'true');
    history.replaceState(null, '', '#open=' + keyOf(td));
  }

  function toggle(td) {
    if (td.classList.contains('s-empty')) return;
    if (td.getAttribute('aria-expanded') === 'true') close(td);
    else open(td);
  }

  const cells = Array.from(document.querySelectorAll('td.cell'));
  cells.forEach((td) => {
    const row = rows.get(td.dataset.row);
    if (!row) {
      errors.push('a cell names row ' + td.dataset.row + ', which the data lacks');
      return;
    }
    const counts = recount(row, td.dataset.target);
    STATUSES.forEach((s) => {
      const shown = td.getAttribute('data-' + s);
      if (shown !== String(counts[s])) {
        errors.push(td.dataset.row + ' on ' + td.dataset.target + ': ' + s + ' is ' + shown
          + ' in the table and ' + counts[s] + ' in the data');
      }
    });
    td.addEventListener('click', () => toggle(td));
    td.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        toggle(td);
      }
    });
  });
  const expected = (data.rows.length + 1) * data.targets.length;
  if (cells.length !== expected) {
    errors.push('the page has ' + cells.length + ' cells; the data has ' + expected);
  }

  // Filters for the clause and tag tables: by text, and rows where something does not pass.
  ['clauses', 'tags'].forEach((id) => {
    const section = document.getElementById(id);
    const table = section && section.querySelector('table');
    if (!table) return;
    const controls = element('p', 'controls');
    const search = element('input');
    search.type = 'search';
    search.placeholder = 'filter ' + id;
    const failing = element('input');
    failing.type = 'checkbox';
    const label = element('label');
    label.appendChild(failing);
    label.appendChild(document.createTextNode(' only rows where a case does not pass'));
    controls.appendChild(search);
    controls.appendChild(document.createTextNode(' '));
    controls.appendChild(label);
    table.before(controls);
    const apply = () => {
      const needle = search.value.trim().toLowerCase();
      table.querySelectorAll('tbody tr[data-key]').forEach((tr) => {
        const row = rows.get(tr.dataset.key);
        const text = (row.id + ' ' + row.title).toLowerCase();
        const bad = Array.from(tr.querySelectorAll('td.cell')).some((td) =>
          ['fail', 'unsupported', 'expected_fail'].some((s) => td.getAttribute('data-' + s) !== '0'));
        const shown = (!needle || text.includes(needle)) && (!failing.checked || bad);
        tr.hidden = !shown;
        const next = tr.nextElementSibling;
        if (next && next.classList.contains('detail')) next.hidden = !shown;
      });
    };
    search.addEventListener('input', apply);
    failing.addEventListener('change', apply);
  });

  // A link to a cell opens it.
  let note = '';
  const wanted = /^#open=([^@]+)@(.+)$/.exec(location.hash);
  if (wanted) {
    const td = cells.find((c) => c.dataset.row === decodeURIComponent(wanted[1])
      && c.dataset.target === decodeURIComponent(wanted[2]));
    if (td) {
      open(td);
      td.scrollIntoView({ block: 'center' });
    } else {
      note = ' (The link names a cell this matrix does not have.)';
    }
  }

  const all = (window.matrixErrors || []).concat(errors);
  status.setAttribute('data-errors', JSON.stringify(all));
  status.setAttribute('data-state', all.length ? 'error' : 'ready');
  status.textContent = all.length
    ? 'The page disagrees with its data: ' + all.join('; ')
    : 'Click a cell (or focus it and press Enter) to list its cases and the diffs of those that fail.' + note;
})();
