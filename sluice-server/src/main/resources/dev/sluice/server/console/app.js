// The Sluice console: a page per hash route, drawn from the operator API (/api/v1) and the workflows REST API,
// refreshed every two seconds. No build step and no libraries: DOM nodes built with textContent, never HTML
// from data, so a record's value cannot inject anything.
'use strict';

const REFRESH_MS = 2000;
const state = { token: localStorage.getItem('sluice.token') || '', account: null, timer: null, view: null, busy: false };

/** An element with attributes and children (nodes or text). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) el.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function fill(id, ...children) {
  const el = document.getElementById(id);
  if (el) el.replaceChildren(...children.flat());
}

/** Calls an API and answers its result; throws {status, code, message} as the API said it. */
async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (state.token) headers.Authorization = 'Bearer ' + state.token;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { ...options, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  let body = null;
  try { body = await res.json(); } catch (e) { /* not JSON: said below */ }
  if (res.status === 401 || res.status === 403) {
    document.getElementById('token-form').hidden = false;
  }
  if (!res.ok || !body || body.success === false) {
    const error = (body && (body.error || (body.errors && body.errors[0]))) || {};
    throw { status: res.status, code: error.code || 'error', message: error.message || res.statusText };
  }
  return body.result;
}

const workflowsApi = (path, options) => api('/client/v4/accounts/' + encodeURIComponent(state.account) + '/workflows' + path, options);

function showProblem(e) {
  const p = document.getElementById('problem');
  if (!e) { p.hidden = true; return; }
  p.hidden = false;
  p.textContent = e.status ? `${e.status} ${e.code}: ${e.message}` : String(e.message || e);
}

const num = (v, digits = 0) => (typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');
const time = (t) => (t ? new Date(t).toISOString().replace('T', ' ').replace('Z', '') : '–');
const badge = (status) => h('span', { class: 'badge status-' + status, 'data-status': status }, status);

/** A line chart of one or two series over the last 15 minutes. */
function chart(label, value, series, second) {
  const all = series.concat(second || []);
  const max = Math.max(1, ...all.filter((v) => typeof v === 'number'));
  const points = (s) => s.map((v, i) => `${(i / Math.max(1, s.length - 1)) * 300},${60 - (v / max) * 56 - 2}`).join(' ');
  const svgNs = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('viewBox', '0 0 300 60');
  svg.setAttribute('preserveAspectRatio', 'none');
  for (const [s, cls] of [[series, ''], [second, 'second']]) {
    if (!s || s.length === 0) continue;
    const line = document.createElementNS(svgNs, 'polyline');
    line.setAttribute('points', points(s));
    if (cls) line.setAttribute('class', cls);
    svg.append(line);
  }
  return h('div', { class: 'chart', 'data-chart': label }, h('div', { class: 'label' }, label + ' · 15 min'), h('div', { class: 'value' }, value), svg);
}

// ---- overview ----------------------------------------------------------------------------------

function overview() {
  return {
    skeleton: () => [
      h('h1', {}, 'Pipelines'),
      h('table', { id: 'pipelines' },
        h('thead', {}, h('tr', {}, ['Pipeline', 'Records in', 'In/s', 'Out/s', 'Backlog', 'Freshness', 'DLQ', 'Last 15 minutes']
          .map((c, i) => h('th', { class: i > 0 && i < 7 ? 'num' : '' }, c)))),
        h('tbody', { id: 'pipeline-rows' })),
      h('h2', {}, 'Workflows'),
      h('div', { id: 'workflows' }),
    ],
    async draw() {
      const pipelines = await api('/api/v1/pipelines');
      const rows = [];
      for (const p of pipelines) {
        const s = p.stats || {};
        const history = await api('/api/v1/pipelines/' + encodeURIComponent(p.name) + '/history');
        rows.push(h('tr', { 'data-pipeline': p.name },
          h('td', {}, h('a', { href: '#/pipelines/' + encodeURIComponent(p.name) }, p.name)),
          h('td', { class: 'num records-in' }, num(s.recordsIn)),
          h('td', { class: 'num' }, num(s.recordsInPerSecond, 1)),
          h('td', { class: 'num' }, num(s.recordsOutPerSecond, 1)),
          h('td', { class: 'num backlog' }, num(s.backlog)),
          h('td', { class: 'num' }, typeof s.freshnessSeconds === 'number' ? num(s.freshnessSeconds, 1) + ' s' : '–'),
          h('td', { class: 'num dead-lettered' }, num(s.deadLettered)),
          h('td', { class: 'mini' },
            chart('records/s in, out', '', history.recordsInPerSecond, history.recordsOutPerSecond),
            chart('backlog', '', history.backlog),
            chart('freshness, s', '', history.freshnessSeconds))));
      }
      fill('pipeline-rows', rows);
      fill('workflows', await workflowsTable());
    },
  };
}

async function workflowsTable() {
  let workflows;
  try {
    workflows = await workflowsApi('');
  } catch (e) {
    if (e.status === 404) return h('p', { class: 'muted' }, 'No workflows here: none are configured, or another process runs them.');
    throw e;
  }
  const statuses = ['queued', 'running', 'paused', 'waiting', 'waitingForPause', 'errored', 'terminated', 'complete'];
  return h('table', { id: 'workflow-table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Workflow'), statuses.map((s) => h('th', { class: 'num' }, s)))),
    h('tbody', {}, workflows.map((w) => h('tr', { 'data-workflow': w.name },
      h('td', {}, h('a', { href: '#/workflows/' + encodeURIComponent(w.name) }, w.name)),
      statuses.map((s) => h('td', { class: 'num', 'data-count': s }, num((w.instances || {})[s] || 0)))))));
}

// ---- a pipeline --------------------------------------------------------------------------------

function pipelinePage(name) {
  const base = '/api/v1/pipelines/' + encodeURIComponent(name);
  return {
    skeleton: () => [
      h('h1', {}, 'Pipeline ', h('code', {}, name)),
      h('div', { class: 'charts', id: 'charts' }),
      h('h2', {}, 'Configuration'),
      h('dl', { class: 'config', id: 'config' }),
      h('h2', {}, 'Objects written'),
      h('table', { id: 'objects' }),
      h('h2', {}, 'Dead letters'),
      h('div', { class: 'actions' },
        h('button', { id: 'replay', class: 'primary', onclick: () => replay(base) }, 'Replay all'),
        h('span', { id: 'replay-result', class: 'muted' })),
      h('table', { id: 'dead-letters' }),
    ],
    async draw() {
      const [p, history, dead] = await Promise.all([api(base), api(base + '/history'), api(base + '/dead-letters')]);
      const s = p.stats || {};
      const last = (a) => (a.length ? a[a.length - 1] : undefined);
      fill('charts',
        chart('records/s in (blue) and out', num(s.recordsInPerSecond, 1) + ' / ' + num(s.recordsOutPerSecond, 1), history.recordsInPerSecond, history.recordsOutPerSecond),
        chart('backlog', num(s.backlog), history.backlog),
        chart('freshness, s', num(last(history.freshnessSeconds), 1), history.freshnessSeconds),
        chart('dead-lettered', num(s.deadLettered), history.deadLettered));
      const sink = p.sink || {};
      const batch = sink.batch || {};
      fill('config', ...[
        ['topics', `${p.topics.input} → ${p.topics.output}, dead letters ${p.topics.deadLetter}`],
        ['partitions', p.partitions],
        ['transforms', (p.transforms || []).map((t) => `${t.label} (${t.class}, onError ${t.onError})`).join(', ') || 'none'],
        ['sink', `s3://${sink.bucket}/${sink.prefix}/ · ${sink.format} ${sink.compression}`],
        ['batches', `every ${num(batch.maxRecords)} records, ${num(batch.maxBytes)} bytes or ${batch.maxDurationSeconds} s`],
        ['processor lag', num(s.processorLag)],
      ].flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]));
      fill('objects',
        h('thead', {}, h('tr', {}, ['Written', 'Key', 'Records', 'Bytes', 'Closed by'].map((c) => h('th', {}, c)))),
        h('tbody', {}, (p.recentObjects || []).map((o) => h('tr', { 'data-object': o.object.key },
          h('td', {}, time(o.eventTime)), h('td', {}, h('code', {}, o.object.key)),
          h('td', { class: 'num' }, num(o.records)), h('td', { class: 'num' }, num(o.object.size)), h('td', {}, o.closedBy)))));
      fill('dead-letters',
        h('thead', {}, h('tr', {}, ['Accepted', 'Where', 'Stage', 'Reason', 'Record'].map((c) => h('th', {}, c)))),
        h('tbody', {}, dead.length === 0
          ? h('tr', {}, h('td', { colspan: 5, class: 'muted', id: 'dlq-empty' }, 'No dead letters waiting.'))
          : dead.map((r) => h('tr', { class: 'dead-letter' },
            h('td', {}, time(r.timestamp)),
            h('td', {}, `${r.partition}@${r.offset}`),
            h('td', {}, [r.headers['sluice.error.stage'], r.headers['sluice.error.transform']].filter(Boolean).join(' ')),
            h('td', {}, r.headers['sluice.error.message'] || ''),
            h('td', {}, h('code', {}, typeof r.value === 'string' ? r.value : JSON.stringify(r.value)))))));
    },
  };
}

async function replay(base) {
  const result = document.getElementById('replay-result');
  result.textContent = 'replaying…';
  try {
    const done = await api(base + '/dead-letters/replay', { method: 'POST', body: {} });
    result.textContent = `replayed ${done.replayed}, already replayed ${done.alreadyReplayed}`;
    await refresh();
  } catch (e) {
    result.textContent = `${e.status} ${e.code}: ${e.message}`;
  }
}

// ---- workflows ---------------------------------------------------------------------------------

function workflowPage(name) {
  return {
    skeleton: () => [
      h('h1', {}, 'Workflow ', h('code', {}, name)),
      h('table', { id: 'instances' }),
    ],
    async draw() {
      const instances = await workflowsApi('/' + encodeURIComponent(name) + '/instances?per_page=100');
      fill('instances',
        h('thead', {}, h('tr', {}, ['Instance', 'Status', 'Created', 'Modified'].map((c) => h('th', {}, c)))),
        h('tbody', {}, instances.map((i) => h('tr', { 'data-instance': i.id },
          h('td', {}, h('a', { href: `#/workflows/${encodeURIComponent(name)}/${encodeURIComponent(i.id)}` }, i.id)),
          h('td', {}, badge(i.status)), h('td', {}, time(i.created_on)), h('td', {}, time(i.modified_on))))));
    },
  };
}

function instancePage(workflow, id) {
  const path = `/${encodeURIComponent(workflow)}/instances/${encodeURIComponent(id)}`;
  const act = (status) => async () => {
    try {
      await workflowsApi(path + '/status', { method: 'PATCH', body: { status } });
      await refresh();
    } catch (e) { showProblem(e); }
  };
  const sendEvent = async (event) => {
    event.preventDefault();
    const type = document.getElementById('event-type').value;
    let payload;
    try { payload = JSON.parse(document.getElementById('event-payload').value || '{}'); } catch (e) {
      showProblem({ message: 'the payload is not JSON: ' + e.message });
      return;
    }
    try {
      await workflowsApi(path + '/events/' + encodeURIComponent(type), { method: 'POST', body: payload });
      await refresh();
    } catch (e) { showProblem(e); }
  };
  return {
    skeleton: () => [
      h('h1', {}, h('a', { href: '#/workflows/' + encodeURIComponent(workflow) }, workflow), ' / ', h('code', {}, id), ' ', h('span', { id: 'status' })),
      h('div', { class: 'actions' },
        ['pause', 'resume', 'terminate', 'restart'].map((s) => h('button', { id: s, onclick: act(s) }, s))),
      h('form', { class: 'actions', onsubmit: sendEvent },
        h('input', { id: 'event-type', placeholder: 'event type', required: '' }),
        h('input', { id: 'event-payload', placeholder: '{"approved": true}', size: 40 }),
        h('button', { id: 'send-event', type: 'submit' }, 'Send event')),
      h('dl', { class: 'config', id: 'detail' }),
      h('h2', {}, 'Steps'),
      h('table', { id: 'steps', class: 'timeline' }),
    ],
    async draw() {
      const i = await workflowsApi(path);
      fill('status', badge(i.status));
      fill('detail', ...[
        ['params', JSON.stringify(i.params)],
        ['output', i.output === undefined || i.output === null ? '–' : JSON.stringify(i.output)],
        ['error', i.error ? `${i.error.name}: ${i.error.message}` : '–'],
        ['queued', time(i.queued)], ['started', time(i.start)], ['ended', time(i.end)],
      ].flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, h('pre', {}, v))]));
      const steps = (i.steps || []).filter((s) => s.name);
      const t0 = Math.min(...steps.map((s) => Date.parse(s.start)).filter((t) => !isNaN(t)));
      const t1 = Math.max(...steps.map((s) => Date.parse(s.end || new Date().toISOString())).filter((t) => !isNaN(t)));
      const span = Math.max(1, t1 - t0);
      const bar = (start, end, failed) => {
        const a = Date.parse(start);
        const b = end ? Date.parse(end) : Date.now();
        return h('div', { class: 'bar' + (failed ? ' failed' : ''), style: `left:${((a - t0) / span) * 100}%;width:${Math.max(0.5, ((b - a) / span) * 100)}%` });
      };
      fill('steps',
        h('thead', {}, h('tr', {}, ['Step', 'Type', 'Timeline', 'Attempts', 'Errors'].map((c) => h('th', {}, c)))),
        h('tbody', {}, steps.map((s) => h('tr', { 'data-step': s.name },
          h('td', {}, s.name), h('td', {}, s.type),
          h('td', { style: 'width:40%' }, h('div', { class: 'track' },
            (s.attempts && s.attempts.length ? s.attempts : [{ start: s.start, end: s.end, success: s.success !== false }])
              .filter((a) => a.start).map((a) => bar(a.start, a.end, a.success === false)))),
          h('td', { class: 'num' }, s.attempts ? s.attempts.length : '–'),
          h('td', {}, (s.attempts || []).filter((a) => a.error).map((a) => h('div', {}, a.error.message)))))));
    },
  };
}

// ---- routing and refresh -------------------------------------------------------------------------

function viewFor(hash) {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'pipelines' && parts[1]) return pipelinePage(parts[1]);
  if (parts[0] === 'workflows' && parts[1] && parts[2]) return instancePage(parts[1], parts[2]);
  if (parts[0] === 'workflows' && parts[1]) return workflowPage(parts[1]);
  return overview();
}

async function refresh() {
  // A slow answer must not pile up refreshes behind it: skip a tick while one is in flight.
  if (!state.view || state.busy) return;
  state.busy = true;
  try {
    if (state.account === null) state.account = (await api('/api/v1/info')).account;
    await state.view.draw();
    showProblem(null);
    document.getElementById('token-form').hidden = true;
    document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    showProblem(e);
  } finally {
    state.busy = false;
  }
}

function show() {
  state.view = viewFor(location.hash);
  fill('view', state.view.skeleton());
  refresh();
}

document.getElementById('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  state.token = document.getElementById('token').value;
  localStorage.setItem('sluice.token', state.token);
  refresh();
});
window.addEventListener('hashchange', show);
show();
state.timer = setInterval(refresh, REFRESH_MS);
