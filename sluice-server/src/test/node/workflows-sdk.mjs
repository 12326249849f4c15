// Drives Sluice's workflows REST API with Cloudflare's official SDK, changing only its base URL.
// Usage: node workflows-sdk.mjs <baseURL> <account> <token> <workflow> <gate-workflow>
// Prints one JSON line of what it saw; CloudflareSdkTest asserts on it.
import Cloudflare from 'cloudflare';

const [baseURL, account_id, apiToken, workflow, gate] = process.argv.slice(2);
const client = new Cloudflare({ baseURL, apiToken, maxRetries: 5 });
const seen = {};

const until = async (what, check) => {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 100));
  }
};
const status = async (wf, id) => (await client.workflows.instances.get(id, { account_id, workflow_name: wf })).status;

// create (params as the SDK types them: a JSON-encoded string), get, output
const created = await client.workflows.instances.create(workflow, { account_id, instance_id: 'sdk-1', params: JSON.stringify({ n: 11 }) });
seen.created = { id: created.id, status: created.status };
await until('sdk-1 complete', async () => (await status(workflow, 'sdk-1')) === 'complete');
const got = await client.workflows.instances.get('sdk-1', { account_id, workflow_name: workflow });
seen.output = got.output;
seen.stepTypes = got.steps.map((s) => s.type + ':' + s.name);
seen.trigger = got.trigger.source;

// bulk create, then list with auto-pagination (page=1,2,… until an empty page)
const bulk = await client.workflows.instances.bulk(workflow, { account_id, body: [1, 2, 3, 4, 5].map((n) => ({ instance_id: 'sdk-b' + n, params: JSON.stringify({ n }) })) });
seen.bulk = bulk.result.map((r) => r.id);
await until('bulk complete', async () => (await Promise.all(seen.bulk.map((id) => status(workflow, id)))).every((s) => s === 'complete'));
const listed = [];
for await (const row of client.workflows.instances.list(workflow, { account_id, per_page: 2 })) listed.push(row.id);
seen.listed = listed.sort();

// pause, event while paused, resume, terminate, restart from a step
await client.workflows.instances.create(gate, { account_id, instance_id: 'sdk-g' });
await until('sdk-g waiting', async () => (await status(gate, 'sdk-g')) === 'waiting');
await client.workflows.instances.status.edit('sdk-g', { account_id, workflow_name: gate, status: 'pause' });
await until('sdk-g paused', async () => (await status(gate, 'sdk-g')) === 'paused');
const event = await client.workflows.instances.events.create('go', { account_id, workflow_name: gate, instance_id: 'sdk-g', body: { value: 'from-sdk' } });
seen.eventInstance = event.instanceId;
await client.workflows.instances.status.edit('sdk-g', { account_id, workflow_name: gate, status: 'resume' });
await until('sdk-g complete', async () => (await status(gate, 'sdk-g')) === 'complete');
seen.gateOutput = (await client.workflows.instances.get('sdk-g', { account_id, workflow_name: gate })).output;
await client.workflows.instances.status.edit('sdk-g', { account_id, workflow_name: gate, status: 'restart', from: { name: 'gate', type: 'waitForEvent' } });
await until('sdk-g waiting again', async () => (await status(gate, 'sdk-g')) === 'waiting');
await client.workflows.instances.status.edit('sdk-g', { account_id, workflow_name: gate, status: 'terminate' });
await until('sdk-g terminated', async () => (await status(gate, 'sdk-g')) === 'terminated');
seen.terminated = true;

// errors arrive as the SDK's own classes
try {
  await client.workflows.instances.get('missing', { account_id, workflow_name: workflow });
} catch (e) {
  seen.notFound = e.constructor.name + ' ' + e.status;
}
const wf = await client.workflows.get(workflow, { account_id });
seen.workflowName = wf.name;
console.log(JSON.stringify(seen));
