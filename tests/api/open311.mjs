#!/usr/bin/env node
// Open311 GeoReport v2 answers held to JSON Schemas with Ajv (issue 6): starts the real server on
// a fresh demo database, files requests with an API key, and checks every JSON answer of every
// Open311 method (discovery, services, a definition of each service, POST requests, requests/{id},
// the requests query under each filter, tokens/{token}, and the error bodies of 400, 403 and 404)
// against the schemas in lib/open311-schemas.mjs. Those are akar's reading of the specification:
// the official schemas' required members and types, plus what the specification says in words
// (status and datatype enums, W3C date-times with a zone, the 4,000-character description) and
// no member the specification does not name, so nothing about a submitter can slip into an answer.
// With OPEN311_SCHEMAS naming a folder of the official schema files (services.json, service.json,
// service-definition.json, requests.json, request.json), the answers are held to those too.
//
// Prints "PASS name" / "FAIL name" lines for scripts/run-tests --lines.
// Usage: node open311.mjs [AKAR_BINARY]   (default $AKAR_BIN, else ./akar)
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { schemas } from './lib/open311-schemas.mjs';
import { akar, send, startServer } from './lib/server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
process.chdir(root);
const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
const OFFICIAL = ['services', 'service', 'service-definition', 'requests', 'request'];

let passed = 0, failed = 0;

async function check(name, fn) {
    try {
        await fn();
        passed++;
        console.log(`PASS ${name}`);
    } catch (e) {
        failed++;
        console.log(`FAIL ${name}`);
        console.log(String(e && e.message ? e.message : e).split('\n').slice(0, 20).map((l) => `    ${l}`).join('\n'));
    }
}

function ajvWithFormats() {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    return ajv;
}

// The validators: akar's own, and the official ones when OPEN311_SCHEMAS names them.
function validators() {
    const ours = ajvWithFormats();
    for (const [name, s] of Object.entries(schemas)) ours.addSchema(s, name);
    let official = null;
    const dir = process.env.OPEN311_SCHEMAS;
    if (dir) {
        official = ajvWithFormats();
        for (const n of OFFICIAL) official.addSchema(JSON.parse(readFileSync(join(dir, `${n}.json`), 'utf8')), `${n}.json`);
    }
    return { ours, official };
}

// Parses a JSON answer of the given status and content type and validates it against schema
// (and, if given, the official schema of that name); throws with every problem.
function holds(v, r, status, schema, officialName) {
    const problems = [];
    if (r.status !== status) problems.push(`status ${r.status}, expected ${status}: ${r.text.slice(0, 300)}`);
    const ct = r.headers['content-type'] || '';
    if (!/^application\/json; ?charset=utf-8$/i.test(ct)) problems.push(`content type "${ct}"`);
    let body;
    try {
        body = JSON.parse(r.text);
    } catch (e) {
        throw new Error([...problems, `not JSON: ${e.message}`].join('\n'));
    }
    const run = (ajv, name, label) => {
        const validate = ajv.getSchema(name);
        if (!validate(body)) for (const e of validate.errors) problems.push(`${label}: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
    };
    run(v.ours, schema, 'akar schema');
    if (v.official && officialName) run(v.official, `${officialName}.json`, 'official schema');
    if (problems.length) throw new Error(problems.join('\n'));
    return body;
}

function form(fields) {
    return new URLSearchParams(fields).toString();
}

// A value fit for an attribute of the definition (the first choice of a list).
function answer(attr) {
    switch (attr.datatype) {
    case 'number': return [['3']];
    case 'datetime': return [['2026-11-01T08:00:00+07:00']];
    case 'singlevaluelist': return [[attr.values[0].key]];
    case 'multivaluelist': return attr.values.slice(0, 2).map((x) => [x.key, '[]']);
    default: return [['Thôn Vĩnh Hy']];
    }
}

async function main() {
    const bin = resolve(process.argv[2] || process.env.AKAR_BIN || './akar');
    if (!existsSync(bin)) {
        console.log(`FAIL open311 schemas: no akar binary at ${bin} (set AKAR_BIN)`);
        return 1;
    }
    const v = validators();
    const logPath = join(process.env.API_ARTIFACTS || 'build/api-artifacts', 'open311-server.log');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dirname(logPath), { recursive: true });
    const srv = await startServer({ bin, logPath, submitLimit: 100 });
    const base = `${srv.url}/open311/v2/`;
    const get = (path) => send(base, 'GET', path);
    try {
        const key = akar(bin, ['apikey', 'add', '--db', srv.db, '--unit', '58', '--scope', 'write']).split('\n')[0].trim();
        const readKey = akar(bin, ['apikey', 'add', '--db', srv.db, '--unit', '58', '--scope', 'read']).split('\n')[0].trim();

        await check('open311: discovery.json', async () => holds(v, await get('discovery.json'), 200, 'discovery'));

        let services = [];
        await check('open311: services.json', async () => {
            services = holds(v, await get('services.json'), 200, 'services', 'services');
            if (services.length < 3) throw new Error(`only ${services.length} services`);
            if (!services.some((s) => s.metadata)) throw new Error('no service has attributes');
        });
        await check('open311: services.json?jurisdiction_id=586.01', async () =>
            holds(v, await get('services.json?jurisdiction_id=586.01'), 200, 'services', 'services'));

        const definitions = {};
        for (const s of services) {
            await check(`open311: services/${s.service_code}.json`, async () => {
                const d = holds(v, await get(`services/${encodeURIComponent(s.service_code)}.json`), 200, 'definition', 'service-definition');
                if (d.service_code !== s.service_code) throw new Error(`service_code ${d.service_code}`);
                if (s.metadata !== d.attributes.length > 0) throw new Error(`metadata ${s.metadata} but ${d.attributes.length} attributes`);
                const orders = d.attributes.map((a) => a.order);
                if (new Set(orders).size !== orders.length) throw new Error(`order reused: ${orders}`);
                definitions[s.service_code] = d;
            });
        }

        // a request of each service, every attribute answered, placed each way the spec allows
        const filed = [];
        const places = [{ lat: '11.7', long: '109.19' }, { address_string: 'Thôn Vĩnh Hy, xã Vĩnh Hải' }, { address_id: 'VH-0042' }];
        for (const [i, s] of services.entries()) {
            const d = definitions[s.service_code];
            if (!d) continue;
            await check(`open311: POST requests.json for ${s.service_code}`, async () => {
                const params = new URLSearchParams({
                    api_key: key, service_code: s.service_code, description: `Yêu cầu thử ${i}: đèn đường hỏng.`,
                    first_name: 'Lan', last_name: 'Nguyễn', email: 'lan@example.org', phone: '0912000222',
                    ...places[i % places.length],
                });
                for (const a of d.attributes) for (const [val, suffix] of answer(a)) params.append(`attribute[${a.code}]${suffix || ''}`, val);
                const r = await send(base, 'POST', 'requests.json', { headers: { 'Content-Type': FORM }, body: params.toString() });
                const list = holds(v, r, 201, 'posted');
                filed.push({ id: list[0].service_request_id, code: s.service_code });
            });
        }

        for (const f of filed) {
            await check(`open311: requests/${f.code}'s id.json`, async () => {
                const list = holds(v, await get(`requests/${f.id}.json`), 200, 'requests', 'requests');
                if (list.length !== 1 || list[0].service_request_id !== f.id || list[0].service_code !== f.code) {
                    throw new Error(JSON.stringify(list));
                }
                if (JSON.stringify(list).includes('lan@example.org') || JSON.stringify(list).includes('0912000222')) {
                    throw new Error('the submitter shows');
                }
            });
            await check(`open311: tokens/{id}.json for ${f.code}`, async () => {
                const list = holds(v, await get(`tokens/${f.id}.json`), 200, 'tokens');
                if (list[0].service_request_id !== f.id) throw new Error(JSON.stringify(list));
            });
        }

        const day = (d) => new Date(Date.now() - d * 86400000).toISOString().replace(/\.\d+Z$/, 'Z');
        const queries = [
            'requests.json',
            'requests.json?status=open',
            'requests.json?status=closed',
            'requests.json?status=open,closed&page_size=5&page=2',
            `requests.json?service_code=${services.map((s) => s.service_code).slice(0, 2).join(',')}`,
            `requests.json?start_date=${day(30)}&end_date=${day(0)}`,
            `requests.json?start_date=${encodeURIComponent(day(10).replace('Z', '+07:00'))}`,
            `requests.json?service_request_id=${filed.map((f) => f.id).join(',')}`,
            'requests.json?jurisdiction_id=586.01',
        ];
        for (const q of queries) {
            await check(`open311: ${q}`, async () => {
                const list = holds(v, await get(q), 200, 'requests', 'requests');
                if (q.includes('service_request_id=') && list.length !== filed.length) throw new Error(`${list.length} of ${filed.length} requests`);
                if (q === 'requests.json' && list.length < filed.length) throw new Error(`only ${list.length} requests`);
                if (q.includes('status=open') && !q.includes('closed') && list.some((x) => x.status !== 'open')) throw new Error('a closed request');
            });
        }

        // errors, in the spec's body and with the spec's status
        const errors = [
            ['GET', 'requests.json?start_date=2026-01-01', 400, 'a date without a zone'],
            ['GET', `requests.json?start_date=${day(200)}&end_date=${day(0)}`, 400, 'a window over 90 days'],
            ['GET', 'requests.json?status=lost', 400, 'an unknown status'],
            ['GET', 'services.json?jurisdiction_id=999', 404, 'an unknown jurisdiction'],
            ['GET', 'services/no_such_service.json', 404, 'an unknown service'],
            ['GET', 'requests/NOPE-NOPE-NOP.json', 404, 'an unknown request'],
            ['GET', 'tokens/NOPE.json', 404, 'an unknown token'],
            ['GET', 'no/such/thing.json', 404, 'an address of nothing'],
            ['POST', 'requests.json', 403, 'no api_key', { service_code: 'environment', lat: '11.7', long: '109.19' }],
            ['POST', 'requests.json', 403, 'a read key', { api_key: readKey, service_code: 'environment', lat: '11.7', long: '109.19' }],
            ['POST', 'requests.json', 403, 'a forged key', { api_key: `${key.slice(0, -4)}AAAA`, service_code: 'environment', lat: '11.7', long: '109.19' }],
            ['POST', 'requests.json', 400, 'no service_code', { api_key: key, lat: '11.7', long: '109.19' }],
            ['POST', 'requests.json', 404, 'an unknown service_code', { api_key: key, service_code: 'no_such_service', lat: '11.7', long: '109.19' }],
            ['POST', 'requests.json', 400, 'no place', { api_key: key, service_code: 'environment' }],
            ['POST', 'requests.json', 400, 'an unknown attribute', { api_key: key, service_code: 'environment', lat: '11.7', long: '109.19', 'attribute[nope]': 'x' }],
        ];
        for (const [method, path, status, what, fields] of errors) {
            await check(`open311: ${status} for ${what} (${method} ${path.split('?')[0]})`, async () => {
                const r = method === 'GET' ? await get(path)
                    : await send(base, 'POST', path, { headers: { 'Content-Type': FORM }, body: form(fields) });
                const list = holds(v, r, status, 'errors');
                if (!list.some((e) => Number(e.code) === status)) throw new Error(`no error coded ${status}: ${r.text}`);
            });
        }
    } finally {
        await srv.stop();
    }
    console.log(`open311 schemas: ${passed} passed, ${failed} failed${v.official ? ' (also against the official schemas)' : ''}`);
    return 0;
}

main().then((code) => process.exit(code), (e) => {
    console.log(`FAIL open311 schemas: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
});
