#!/usr/bin/env node
// akar's API contract test (issue 6): starts the real server on a fresh demo database, sends
// real requests to every route of /api/v1 (successes and refusals), and checks each answer
// against the OpenAPI document (src/api/openapi.json): the operation by method and path, the
// response by status (a status the document does not list fails), the content type, the
// headers it marks required, and the body with Ajv. The document must also list every route
// that src/api/api.c registers, and only those, and be what the server serves.
//
// Prints one line per verdict, "PASS name" or "FAIL name" (the reasons follow, indented), for
// scripts/run-tests --lines, then the documented statuses no request reached; exits 0 once
// every check has run (non-zero only if the harness itself broke).
// Usage: node contract.mjs [AKAR_BINARY]   (default $AKAR_BIN, else ./akar)
// Environment: API_ARTIFACTS (the server's log; default build/api-artifacts).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { base32Decode, totpAt } from '../browser/lib/totp.mjs';
import { Contract, mediaType } from './lib/openapi.mjs';
import { demoAccounts, send, startServer } from './lib/server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
process.chdir(root);

// Open311 follows its own specification and is left out of the document (its description
// says so); every other route must be there.
const UNDOCUMENTED_PREFIXES = ['/open311/'];
// Petitions one address may send per 10 minutes: low, so that the 429 is reached quickly.
const SUBMIT_LIMIT = 25;
// The smallest PNG: one transparent pixel.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

let passed = 0, failed = 0;

function indent(text) {
    return String(text).split('\n').filter((l) => l.trim()).slice(0, 25)
        .map((l) => `    ${l.length > 500 ? `${l.slice(0, 500)}…` : l}`).join('\n');
}

// One verdict: fn throws (an Error or a list of problems) to fail.
async function check(name, fn) {
    try {
        await fn();
        passed++;
        console.log(`PASS ${name}`);
    } catch (e) {
        failed++;
        console.log(`FAIL ${name}`);
        console.log(indent(e && e.message ? e.message : e));
    }
}

function problems(list) {
    if (list.length) throw new Error(list.join('\n'));
}

// The routes src/api/api.c registers: "METHOD /pattern" with {} for each parameter.
function registeredRoutes() {
    const text = readFileSync(join(root, 'src/api/api.c'), 'utf8');
    return [...text.matchAll(/http_route\(\s*srv\s*,\s*"([A-Z]+)"\s*,\s*"([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`);
}

async function main() {
    const bin = resolve(process.argv[2] || process.env.AKAR_BIN || './akar');
    if (!existsSync(bin)) {
        console.log(`FAIL api contract: no akar binary at ${bin} (set AKAR_BIN)`);
        return 1;
    }
    const docText = readFileSync(join(root, 'src/api/openapi.json'), 'utf8');
    const doc = JSON.parse(docText);
    const contract = new Contract(doc);

    // ---- the document and the routes ----
    const documented = new Set(contract.list().map((r) => r.replace(/\{[^}]+\}/g, '{}')));
    const routes = registeredRoutes();
    await check('api contract: src/api/api.c registers routes', () => {
        if (routes.length < 10) throw new Error(`only ${routes.length} http_route lines found`);
    });
    for (const r of routes) {
        if (UNDOCUMENTED_PREFIXES.some((p) => r.split(' ')[1].startsWith(p))) continue;
        await check(`api contract: route ${r} is documented`, () => {
            if (!documented.has(r)) throw new Error(`${r} is registered in src/api/api.c but missing from src/api/openapi.json`);
        });
    }
    const registered = new Set(routes);
    for (const r of contract.list())
        await check(`api contract: documented ${r} is a route`, () => {
            const pattern = r.replace(/\{[^}]+\}/g, '{}');
            if (!registered.has(pattern)) throw new Error(`${r} is in the document but src/api/api.c registers no such route`);
        });

    const artifacts = resolve(process.env.API_ARTIFACTS || join(root, 'build', 'api-artifacts'));
    mkdirSync(artifacts, { recursive: true });
    let server;
    try {
        server = await startServer({ bin, logPath: join(artifacts, 'server.log'), submitLimit: SUBMIT_LIMIT });
    } catch (e) {
        console.log(`FAIL api contract: set-up: ${e.message}`);
        return 1;
    }
    const seen = new Map(); // "METHOD template" → statuses checked
    try {
        await scenario(server, contract, docText, seen);
    } finally {
        await server.stop();
    }
    // what no request reached: worth knowing, not a failure
    for (const o of contract.operations) {
        const key = `${o.method} ${o.template}`;
        // 503 (the store not answering) is not provoked here
        const missed = Object.keys(o.op.responses).filter((s) => s !== '503' && !(seen.get(key) || new Set()).has(s));
        if (missed.length) console.log(`not reached: ${key} ${missed.join(' ')}`);
    }
    console.log(`api contract: ${passed} passed, ${failed} failed`);
    return 0;
}

async function scenario(server, contract, docText, seen) {
    const base = server.url;
    const accounts = demoAccounts(server.initOutput);
    const names = new Set();

    // Sends a request and checks the answer against the document: the status must be expect.
    // json: a body sent as application/json (checked against the document too when valid,
    // which is the default for an expected success). Returns the answer, body parsed.
    async function call(what, method, path, expect, opts = {}) {
        const headers = { ...(opts.headers || {}) };
        if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
        let body = opts.raw;
        if (opts.json !== undefined) {
            body = typeof opts.json === 'string' ? opts.json : JSON.stringify(opts.json);
            headers['Content-Type'] ??= 'application/json';
        }
        const pathOnly = path.split('?')[0];
        const found = contract.find(method, pathOnly);
        const name = `api: ${method} ${found ? found.template : pathOnly} ${expect} ${what}`;
        if (names.has(name)) throw new Error(`two checks are named "${name}"`);
        names.add(name);
        let res;
        await check(name, async () => {
            const list = [];
            const valid = opts.valid ?? expect < 400;
            if (valid)
                list.push(...contract.checkRequest(method, path, headers['Content-Type'],
                    opts.json !== undefined && typeof opts.json !== 'string' ? opts.json : undefined));
            res = await send(base, method, path, { headers, body });
            if (res.status !== expect)
                list.push(`status ${res.status}, expected ${expect}: ${res.text.slice(0, 300)}`);
            const verdict = contract.checkResponse(method, pathOnly, res);
            list.push(...verdict.problems);
            res.body = verdict.body;
            if (!verdict.problems.length && verdict.template) {
                const key = `${method} ${verdict.template}`;
                if (!seen.has(key)) seen.set(key, new Set());
                seen.get(key).add(String(res.status));
            }
            problems(list);
        });
        return res || { status: 0, headers: {}, text: '', bytes: Buffer.alloc(0) };
    }

    // An address no operation has: the answer must still be a problem document.
    async function unrouted(what, method, path, expect) {
        await check(`api: ${method} ${path} ${expect} ${what}`, async () => {
            const res = await send(base, method, path);
            const list = [];
            if (res.status !== expect) list.push(`status ${res.status}, expected ${expect}`);
            if (mediaType(res.headers['content-type']) !== 'application/problem+json')
                list.push(`content type ${res.headers['content-type']}`);
            else list.push(...contract.validate(contract.doc.components.schemas.Problem, JSON.parse(res.text)));
            problems(list);
        });
    }

    // ---- system ----
    await call('is up', 'GET', '/healthz', 200);
    await call('Prometheus text', 'GET', '/metrics', 200);
    const oa = await call('the document', 'GET', '/api/v1/openapi.json', 200);
    await check('api contract: the server serves src/api/openapi.json as it is', () => {
        if (oa.text !== docText) throw new Error('GET /api/v1/openapi.json differs from src/api/openapi.json: rebuild akar');
    });
    await call('revalidated', 'GET', '/api/v1/openapi.json', 304, { headers: { 'If-None-Match': oa.headers.etag } });
    await unrouted('nothing here', 'GET', '/api/v1/nothing-here', 404);
    await unrouted('method not allowed', 'PUT', '/api/v1/units', 405);

    // ---- units ----
    const units = await call('the tree', 'GET', '/api/v1/units', 200);
    await call('revalidated', 'GET', '/api/v1/units', 304, { headers: { 'If-None-Match': units.headers.etag } });
    await call('a province', 'GET', '/api/v1/units/58/feed.atom', 200);
    await call('a commune', 'GET', '/api/v1/units/586.01/feed.atom', 200);
    await call('unknown unit', 'GET', '/api/v1/units/999.99/feed.atom', 404);

    // ---- categories ----
    const cats = await call('of a commune', 'GET', '/api/v1/categories?unit=586.01', 200);
    const category = cats.body?.categories?.[0]?.code;
    await call('without a unit', 'GET', '/api/v1/categories', 400);
    await call('unknown unit', 'GET', '/api/v1/categories?unit=999.99', 404);

    // ---- sessions ----
    const S = '/api/v1/sessions';
    // officials sign in with the code of the current 30-second step, each account once
    if (Date.now() % 30000 > 25000) await new Promise((r) => setTimeout(r, 30000 - (Date.now() % 30000) + 100));
    const code = (login) => totpAt(base32Decode(accounts[login].secret), Date.now());
    const tokens = {};
    for (const login of ['handler.vinhhai', 'leader.ninhhai', 'receptionist.vinhhai', 'inspector.vinhhai', 'admin']) {
        const a = accounts[login];
        if (!a) {
            await check(`api: demo account ${login} is listed by akar init --demo`, () => {
                throw new Error('missing');
            });
            continue;
        }
        const r = await call(`${a.role} signs in`, 'POST', S, 201, { json: { login, password: a.password, totp: code(login) } });
        tokens[a.role] = r.body?.token;
    }
    const resident = accounts['resident.vinhhy'];
    const rs = await call('resident signs in', 'POST', S, 201, { json: { login: resident.login, password: resident.password } });
    tokens.resident = rs.body?.token;
    const wrong = String((Number(code('admin')) + 1) % 1000000).padStart(6, '0');
    await call('wrong TOTP code', 'POST', S, 401, { json: { login: 'admin', password: accounts.admin.password, totp: wrong } });
    // no code has confirmed this official's secret yet: the refusal offers it, with a ticket
    const ninhhai = { login: 'handler.ninhhai', password: accounts['handler.ninhhai'].password };
    const offer = (await call('official without a code', 'POST', S, 422, { json: ninhhai })).body?.enrolment || {};
    const offered = offer.secret ? totpAt(base32Decode(offer.secret), Date.now()) : '000000';
    await call('official enrols with the ticket', 'POST', S, 201, { json: { ...ninhhai, totp: offered, ticket: offer.ticket } });
    await call('ticket of another account', 'POST', S, 401, { json: { login: 'leader.ninhhai', password: accounts['leader.ninhhai'].password, totp: offered, ticket: offer.ticket } });
    await call('wrong password', 'POST', S, 401, { json: { login: resident.login, password: 'not-the-password' } });
    await call('unknown member', 'POST', S, 400, { json: { login: 'x', password: 'y', remember: true } });
    await call('missing password', 'POST', S, 400, { json: { login: 'x' } });
    await call('malformed JSON', 'POST', S, 400, { json: '{"login":' });
    await call('not JSON', 'POST', S, 415, { raw: 'login=x&password=y', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    await call('body too large', 'POST', S, 413, { json: JSON.stringify({ login: 'x', password: 'y'.repeat(20000) }) });
    for (let i = 1; i <= 5; i++)
        await call(`failed sign-in ${i} of 5`, 'POST', S, 401, { json: { login: 'contract.nobody', password: 'wrong' } });
    await call('throttled after 5 failures', 'POST', S, 429, { json: { login: 'contract.nobody', password: 'wrong' } });

    // ---- me ----
    await call('resident', 'GET', '/api/v1/me', 200, { token: tokens.resident });
    await call('official', 'GET', '/api/v1/me', 200, { token: tokens.handler });
    await call('without a token', 'GET', '/api/v1/me', 401);
    await call('unknown token', 'GET', '/api/v1/me', 401, { token: 'A'.repeat(43) });
    await call('by cookie', 'GET', '/api/v1/me', 200, { headers: { Cookie: `akar_session=${tokens.resident}` } });

    // ---- submitting ----
    const C = '/api/v1/cases';
    const petition = (extra) => ({
        kind: 'complaint', unit: '586.01', category,
        title: 'Đường thôn ngập nước sau mưa',
        description: 'Sau mỗi trận mưa, đoạn đường qua thôn ngập sâu, học sinh không đi học được.',
        reporter: { name: 'Nguyễn Văn An', phone: '0912 345 678', email: 'an@example.vn', address: 'Thôn 1' },
        location: { lat: 11.72, lon: 109.2, address: 'Thôn 1, Vĩnh Hải' },
        ...extra,
    });
    const a = (await call('public complaint', 'POST', C, 201, { json: petition() })).body || {};
    const b = (await call('denunciation', 'POST', C, 201, { json: petition({ kind: 'denunciation', category: null, location: null }) })).body || {};
    const f = (await call('anonymous feedback', 'POST', C, 201, { json: petition({ kind: 'feedback', anonymous: true }) })).body || {};
    const c = (await call('confidential recommendation', 'POST', C, 201, { json: petition({ kind: 'recommendation', confidential: true }) })).body || {};
    const d = (await call('by a signed-in resident', 'POST', C, 201, { token: tokens.resident, json: petition({ kind: 'information_request', reporter: undefined }) })).body || {};
    await call('at the reception desk', 'POST', C, 201, { token: tokens.receptionist, json: petition({ channel: 'reception' }) });
    await call('reception channel by the public', 'POST', C, 403, { json: petition({ channel: 'reception' }) });
    await call('unknown unit', 'POST', C, 422, { json: petition({ unit: '999.99' }) });
    await call('blank title', 'POST', C, 422, { json: petition({ title: '   ' }) });
    await call('anonymous and confidential', 'POST', C, 422, { json: petition({ anonymous: true, confidential: true }) });
    await call('unknown kind', 'POST', C, 400, { json: petition({ kind: 'praise' }) });
    await call('unknown member', 'POST', C, 400, { json: petition({ priority: 'high' }) });
    await call('title of the wrong type', 'POST', C, 400, { json: petition({ title: 42 }) });
    await call('not JSON', 'POST', C, 415, { raw: 'kind=complaint', headers: { 'Content-Type': 'text/plain' } });
    await call('unknown token', 'POST', C, 401, { token: 'A'.repeat(43), json: petition() });
    await call('body too large', 'POST', C, 413, { json: petition({ description: 'x'.repeat(70000) }) });
    // the category's extra questions (the demo's social_policy asks programme, required)
    const social = (extra) => petition({ kind: 'feedback', category: 'social_policy', ...extra });
    const asked = (await call('with answers', 'POST', C, 201, { json: social({ answers: { programme: 'elderly', circumstances: 'Sống một mình' } }) })).body || {};
    await call('a required question unanswered', 'POST', C, 422, { json: social() });
    await call('an answer to no question', 'POST', C, 422, { json: social({ answers: { programme: 'elderly', colour: 'red' } }) });
    await call('an answer that is no string', 'POST', C, 400, { json: social({ answers: { programme: 1 } }) });

    // ---- Idempotency-Key: a retry makes nothing twice ----
    const replayed = (what, first, again, same) => check(`api: ${what} answers as the first did and says so`, () => {
        if (first.headers['idempotent-replayed'] !== undefined) throw new Error('the first answer says Idempotent-Replayed');
        if (again.headers['idempotent-replayed'] !== 'true') throw new Error(`the retry says Idempotent-Replayed: ${again.headers['idempotent-replayed']}`);
        if (!same(first.body || {}, again.body || {})) throw new Error(`the answers differ: ${first.text.slice(0, 200)} / ${again.text.slice(0, 200)}`);
    });
    const IK = { 'Idempotency-Key': 'contract-submit-1' };
    const lamp = petition({ kind: 'feedback', title: 'Đèn đường hỏng ở ngã ba' });
    const k1 = await call('with an Idempotency-Key', 'POST', C, 201, { headers: IK, json: lamp });
    const k2 = await call('retried with its Idempotency-Key', 'POST', C, 201, { headers: IK, json: lamp });
    await replayed('a retried POST /api/v1/cases', k1, k2, (x, y) => x.id === y.id && x.tracking_code === y.tracking_code);
    await call('an Idempotency-Key reused for another petition', 'POST', C, 422, { headers: IK, json: petition() });
    await call('a malformed Idempotency-Key', 'POST', C, 400, { headers: { 'Idempotency-Key': 'two words' }, json: petition() });

    // ---- the inbox ----
    const H = { token: tokens.handler };
    const one = (id) => `${C}/${id}`;
    const act = (id) => `${C}/${id}/actions`;
    const page = await call('first page', 'GET', `${C}?limit=1`, 200, H);
    await check('api: GET /api/v1/cases names its next page in the body and the Link header', () => {
        if (!page.body?.next || page.headers.link !== `<${page.body.next}>; rel="next"`)
            throw new Error(`next ${page.body?.next}, Link ${page.headers.link}`);
    });
    if (page.body?.next) await call('next page', 'GET', page.body.next, 200, H);
    if (page.body?.next_cursor)
        await call('next page by cursor', 'GET', `${C}?limit=1&cursor=${encodeURIComponent(page.body.next_cursor)}`, 200, H);
    await call('default page', 'GET', C, 200, H);
    await call('filtered', 'GET', `${C}?unit=586.01&kind=complaint&status=submitted&q=${encodeURIComponent('đường ngập')}&due_before=2099-01-01`, 200, H);
    await call('overdue, settled too', 'GET', `${C}?overdue=true&open=all&category=${encodeURIComponent(category || 'x')}`, 200, { token: tokens.leader });
    await call('bad limit', 'GET', `${C}?limit=0`, 400, H);
    await call('bad cursor', 'GET', `${C}?cursor=yesterday`, 400, H);
    await call('bad due_before', 'GET', `${C}?due_before=tomorrow`, 400, H);
    await call('unknown status', 'GET', `${C}?status=lost`, 400, H);
    await call('a resident', 'GET', C, 403, { token: tokens.resident });
    await call('a unit above the caller', 'GET', `${C}?unit=58`, 403, H);
    await call('without a token', 'GET', C, 401);

    // ---- a signed-in resident's petitions, and officials' figures ----
    const M = '/api/v1/me/cases';
    const mine = await call('first page', 'GET', `${M}?limit=1`, 200, { token: tokens.resident });
    await check('api: GET /api/v1/me/cases lists the petition the resident sent', () => {
        if (!mine.body?.items?.some((x) => x.id === d.id)) throw new Error(`case ${d.id} is not listed: ${mine.text.slice(0, 300)}`);
        if (!mine.body.next || !mine.headers.link?.includes(mine.body.next)) throw new Error('a full page names the next one, in the body and the Link header');
    });
    if (mine.body?.next) await call('next page', 'GET', mine.body.next, 200, { token: tokens.resident });
    await call('bad before', 'GET', `${M}?before=abc`, 400, { token: tokens.resident });
    await call('bad limit', 'GET', `${M}?limit=101`, 400, { token: tokens.resident });
    await call('without a token', 'GET', M, 401);
    const DB = '/api/v1/dashboard';
    await call('leader', 'GET', DB, 200, { token: tokens.leader });
    await call('a commune', 'GET', `${DB}?unit=586.01`, 200, H);
    await call('unknown unit', 'GET', `${DB}?unit=999.99`, 400, H);
    await call('a resident', 'GET', DB, 403, { token: tokens.resident });
    await call('without a token', 'GET', DB, 401);

    // ---- API keys of integrations ----
    const K = '/api/v1/apikeys';
    const AD = { token: tokens.admin };
    const readKey = (await call('a read key', 'POST', K, 201, { ...AD, json: { unit: '586.01', scope: 'read', label: 'Cổng dịch vụ công' } })).body || {};
    const writeKey = (await call('a write key', 'POST', K, 201, { ...AD, json: { unit: '586.01', scope: 'write', label: null } })).body || {};
    const KK = { 'Idempotency-Key': 'contract-apikey-1' }, hotline = { unit: '586.01', scope: 'read', label: 'Tổng đài' };
    const n1 = await call('with an Idempotency-Key', 'POST', K, 201, { ...AD, headers: KK, json: hotline });
    const n2 = await call('retried with its Idempotency-Key', 'POST', K, 201, { ...AD, headers: KK, json: hotline });
    await replayed('a retried POST /api/v1/apikeys', n1, n2, (x, y) => x.id === y.id && x.key === y.key);
    await call('an Idempotency-Key reused for another key', 'POST', K, 422, { ...AD, headers: KK, json: { ...hotline, scope: 'write' } });
    await call('a malformed Idempotency-Key', 'POST', K, 400, { ...AD, headers: { 'Idempotency-Key': 'two words' }, json: hotline });
    await call('unknown scope', 'POST', K, 422, { ...AD, json: { unit: '586.01', scope: 'admin' } });
    await call('unknown unit', 'POST', K, 422, { ...AD, json: { unit: '999.99', scope: 'read' } });
    await call('unknown member', 'POST', K, 400, { ...AD, json: { unit: '586.01', scope: 'read', owner: 'me' } });
    await call('not JSON', 'POST', K, 415, { ...AD, raw: 'unit=586.01', headers: { 'Content-Type': 'text/plain' } });
    await call('body too large', 'POST', K, 413, { ...AD, json: JSON.stringify({ unit: '586.01', scope: 'read', label: 'x'.repeat(20000) }) });
    await call('not an admin', 'POST', K, 403, { ...H, json: { unit: '586.01', scope: 'read' } });
    await call('without a token', 'POST', K, 401, { json: { unit: '586.01', scope: 'read' } });
    await call('all', 'GET', K, 200, AD);
    await call('of a commune', 'GET', `${K}?unit=586.01`, 200, AD);
    await call('unknown unit', 'GET', `${K}?unit=999.99`, 400, AD);
    await call('not an admin', 'GET', K, 403, H);
    await call('without a token', 'GET', K, 401);
    const RK = { token: readKey.key }, WK = { token: writeKey.key };
    await call('a read key', 'GET', C, 200, RK);
    await call('a read key', 'GET', one(a.id), 200, RK);
    await call('a read key', 'POST', C, 403, { ...RK, json: petition() });
    await call('a write key', 'POST', C, 201, { ...WK, json: petition() });
    await call('a write key, above its unit', 'POST', C, 403, { ...WK, json: petition({ unit: '586' }) });
    await call('a key', 'GET', '/api/v1/me', 403, RK);
    await call('a key', 'GET', M, 403, RK);
    await call('a key', 'DELETE', S, 403, RK);
    await call('a key acts', 'POST', act(a.id), 403, { ...RK, json: { action: 'accept' } });
    await call('revoke', 'DELETE', `${K}/${readKey.id}`, 200, AD);
    await call('revoke twice', 'DELETE', `${K}/${readKey.id}`, 409, AD);
    await call('no such key', 'DELETE', `${K}/999999`, 404, AD);
    await call('not an admin', 'DELETE', `${K}/${writeKey.id}`, 403, H);
    await call('without a token', 'DELETE', `${K}/${writeKey.id}`, 401);
    await call('a revoked key', 'GET', C, 401, RK);
    // a case placed in words only comes in through Open311 (not described here), with a key
    const o311 = await send(base, 'POST', '/open311/v2/requests.json', {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ api_key: writeKey.key || '', jurisdiction_id: '586.01', service_code: category || '',
                                    description: 'Cống thoát nước bị tắc', address_string: 'Chợ Vĩnh Hải' }).toString(),
    });
    const placed = (() => { try { return JSON.parse(o311.text)[0]?.service_request_id; } catch { return undefined; } })();
    await check('api: an Open311 request placed by address_string is made (for the checks that follow)', () => {
        if (o311.status !== 201 || !placed) throw new Error(`POST /open311/v2/requests.json: ${o311.status} ${o311.text.slice(0, 300)}`);
    });
    await call('a place in words only', 'GET', `/api/v1/track/${placed}`, 200);
    const placedRow = (await call('cases placed in words only', 'GET', `${C}?q=${encodeURIComponent('cống thoát nước')}`, 200, H)).body?.items?.[0];
    if (placedRow) await call('a place in words only', 'GET', one(placedRow.id), 200, H);

    // ---- a case, and acting on it ----
    const got = await call('handler', 'GET', one(a.id), 200, H);
    const tag = got.headers.etag;
    await call('revalidated', 'GET', one(a.id), 304, { ...H, headers: { 'If-None-Match': tag } });
    await call('inspector', 'GET', one(a.id), 200, { token: tokens.inspector });
    const answered = await call('with its answers', 'GET', one(asked.id), 200, { token: tokens.inspector });
    await check('api: the officials see the answers to the questions', () => {
        if (answered.body?.answers?.programme !== 'elderly') throw new Error(`answers: ${JSON.stringify(answered.body?.answers)}`);
    });
    await call('no such case', 'GET', one(999999), 404, H);
    await call('not an id', 'GET', `${C}/abc`, 404, H);
    await call('without a token', 'GET', one(a.id), 401);

    await call('accept, If-Match held', 'POST', act(a.id), 200, { ...H, headers: { 'If-Match': tag }, json: { action: 'accept' } });
    await call('stale If-Match', 'POST', act(a.id), 412, { ...H, headers: { 'If-Match': tag }, json: { action: 'start' } });
    await call('malformed If-Match', 'POST', act(a.id), 400, { ...H, headers: { 'If-Match': 'c1-v1' }, json: { action: 'start' } });
    await call('accept twice', 'POST', act(a.id), 409, { ...H, json: { action: 'accept' } });
    await call('start', 'POST', act(a.id), 200, { ...H, headers: { 'If-Match': '*' }, json: { action: 'start' } });
    const AK = { 'Idempotency-Key': 'contract-act-1' };
    const x1 = await call('with an Idempotency-Key', 'POST', act(f.id), 200, { ...H, headers: AK, json: { action: 'accept' } });
    const x2 = await call('retried with its Idempotency-Key', 'POST', act(f.id), 200, { ...H, headers: AK, json: { action: 'accept' } });
    await replayed('a retried action', x1, x2, (x, y) => x.id === y.id && x.version === y.version);
    await call('an Idempotency-Key reused for another action', 'POST', act(f.id), 422, { ...H, headers: AK, json: { action: 'start' } });
    await call('inspector acts', 'POST', act(b.id), 403, { token: tokens.inspector, json: { action: 'accept' } });
    await call('transfer without a unit', 'POST', act(c.id), 422, { ...H, json: { action: 'transfer', reason: 'not ours' } });
    await call('unknown action', 'POST', act(a.id), 400, { ...H, json: { action: 'fly' } });
    await call('not JSON', 'POST', act(a.id), 415, { ...H, raw: 'action=start', headers: { 'Content-Type': 'text/plain' } });
    await call('no such case', 'POST', act(999999), 404, { ...H, json: { action: 'accept' } });
    await call('without a token', 'POST', act(a.id), 401, { json: { action: 'accept' } });
    await call('body too large', 'POST', act(a.id), 413, { ...H, json: { action: 'resolve', answer: 'x'.repeat(70000) } });
    // a sealed identity, opened by the handler who took the case
    await call('accept the denunciation', 'POST', act(b.id), 200, { ...H, json: { action: 'accept', complex: true } });
    await call('start it', 'POST', act(b.id), 200, { ...H, json: { action: 'start' } });
    await call('reveal', 'POST', act(b.id), 200, { ...H, json: { action: 'reveal', reason: 'the reporter must be heard in person' } });
    await call('reject the confidential one', 'POST', act(c.id), 200, { ...H, json: { action: 'reject', reason: 'outside the commune\'s remit' } });

    // ---- attachments ----
    const key = (o) => ({ 'X-Access-Key': o.access_key });
    const ta = (o) => `/api/v1/track/${o.tracking_code}/attachments`;
    const png = { 'Content-Type': 'image/png' };
    const UK = { 'Idempotency-Key': 'contract-upload-1' };
    const att = await call('the reporter adds a photo', 'POST', `${ta(a)}?filename=ngap.png`, 201, { raw: PNG, headers: { ...png, ...key(a), ...UK } });
    const att2 = await call('retried with its Idempotency-Key', 'POST', `${ta(a)}?filename=ngap.png`, 201, { raw: PNG, headers: { ...png, ...key(a), ...UK } });
    await replayed('a retried upload', att, att2, (x, y) => x.id === y.id && x.sha256 === y.sha256);
    const OK = { 'Idempotency-Key': 'contract-upload-2' };
    const o1 = await call('an official, with an Idempotency-Key', 'POST', `${`${C}/${a.id}/attachments`}?filename=anh.png`, 201, { ...H, raw: PNG, headers: { ...png, ...OK } });
    const o2 = await call('an official, retried', 'POST', `${`${C}/${a.id}/attachments`}?filename=anh.png`, 201, { ...H, raw: PNG, headers: { ...png, ...OK } });
    await replayed('an official\'s retried upload', o1, o2, (x, y) => x.id === y.id);
    await call('key in the query', 'POST', `${ta(a)}?access_key=${a.access_key}`, 201, { raw: PNG, headers: png });
    await call('without the key', 'POST', ta(a), 403, { raw: PNG, headers: png });
    await call('unknown code', 'POST', '/api/v1/track/AAAA-AAAA-AAA/attachments', 404, { raw: PNG, headers: { ...png, ...key(a) } });
    await call('empty body', 'POST', ta(a), 400, { raw: '', headers: { ...png, ...key(a) } });
    await call('not a photo', 'POST', ta(a), 415, { raw: 'plain words', headers: { 'Content-Type': 'text/plain', ...key(a) } });
    await call('settled case', 'POST', ta(c), 409, { raw: PNG, headers: { ...png, ...key(c) } });
    await call('over 10 MB', 'POST', ta(a), 413, { raw: Buffer.alloc((10 << 20) + 1), headers: { 'Content-Type': 'application/octet-stream', ...key(a) } });
    const ca = (id) => `${C}/${id}/attachments`;
    await call('a handler adds a PDF', 'POST', `${ca(a.id)}?filename=bien-ban.pdf`, 201, { ...H, raw: Buffer.from('%PDF-1.4\n%%EOF\n'), headers: { 'Content-Type': 'application/pdf' } });
    await call('an inspector may not', 'POST', ca(a.id), 403, { token: tokens.inspector, raw: PNG, headers: png });
    await call('no such case', 'POST', ca(999999), 404, { ...H, raw: PNG, headers: png });
    await call('without a token', 'POST', ca(a.id), 401, { raw: PNG, headers: png });
    await call('empty body', 'POST', ca(a.id), 400, { ...H, raw: '', headers: png });
    await call('not a photo', 'POST', ca(a.id), 415, { ...H, raw: 'plain words', headers: { 'Content-Type': 'text/plain' } });
    await call('over 10 MB', 'POST', ca(a.id), 413, { ...H, raw: Buffer.alloc((10 << 20) + 1), headers: { 'Content-Type': 'application/octet-stream' } });
    // the eleventh is one too many
    let n = 0, last;
    do {
        last = await send(base, 'POST', ta(b), { headers: { ...png, ...key(b) }, body: PNG });
    } while (last.status === 201 && ++n < 10);
    await call('an attachment too many', 'POST', ta(b), 422, { raw: PNG, headers: { ...png, ...key(b) } });
    await call('an official, too many', 'POST', ca(b.id), 422, { ...H, raw: PNG, headers: png });

    const A = (id) => `/api/v1/attachments/${id}`;
    const attId = att.body?.id;
    await call('the reporter', 'GET', A(attId), 200, { headers: key(a) });
    await call('key in the query', 'GET', `${A(attId)}?access_key=${a.access_key}`, 200);
    await call('an official', 'GET', A(attId), 200, H);
    await call('nobody', 'GET', A(attId), 401);
    await call('another case\'s key', 'GET', A(attId), 401, { headers: key(b) });
    await call('a resident', 'GET', A(attId), 404, { token: tokens.resident });
    await call('an integration\'s key, as an inspector', 'GET', A(attId), 200, { token: writeKey.key });
    await call('no such attachment', 'GET', A(999999), 404, H);

    // ---- tracking and rating ----
    const T = (o) => `/api/v1/track/${o.tracking_code}`;
    const pub = await call('public view', 'GET', T(a), 200);
    await call('revalidated', 'GET', T(a), 304, { headers: { 'If-None-Match': pub.headers.etag || '"none"' } });
    await call('typed in lower case', 'GET', `/api/v1/track/${(a.tracking_code || '').toLowerCase().replace(/-/g, '')}`, 200);
    await call('the reporter\'s view', 'GET', T(a), 200, { headers: key(a) });
    await call('key in the query', 'GET', `${T(b)}?access_key=${b.access_key}`, 200);
    await call('a confidential case', 'GET', T(c), 200);
    await call('a denunciation', 'GET', T(b), 200);
    await call('an anonymous feedback', 'GET', T(f), 200);
    await call('a denied key', 'GET', T(a), 403, { headers: key(b) });
    await call('unknown code', 'GET', '/api/v1/track/AAAA-AAAA-AAA', 404);

    const R = (o) => `/api/v1/track/${o.tracking_code}/rating`;
    await call('before the answer', 'POST', R(a), 409, { json: { access_key: a.access_key, rating: 5 }, valid: true });
    await call('resolve', 'POST', act(a.id), 200, { ...H, json: { action: 'resolve', answer: 'Đã nạo vét mương thoát nước.', document: '12/QĐ-UBND' } });
    await call('a rating of 9', 'POST', R(a), 422, { json: { access_key: a.access_key, rating: 9 } });
    await call('another case\'s key', 'POST', R(a), 403, { json: { access_key: b.access_key, rating: 5 } });
    await call('without a rating', 'POST', R(a), 400, { json: { access_key: a.access_key } });
    await call('not JSON', 'POST', R(a), 415, { raw: 'rating=5', headers: { 'Content-Type': 'text/plain' } });
    await call('unknown code', 'POST', '/api/v1/track/AAAA-AAAA-AAA/rating', 404, { json: { access_key: a.access_key, rating: 5 } });
    await call('body too large', 'POST', R(a), 413, { json: { access_key: a.access_key, rating: 5, comment: 'x'.repeat(20000) } });
    const RKey = { 'Idempotency-Key': 'contract-rate-1' };
    const r1 = await call('rated', 'POST', R(a), 204, { headers: RKey, json: { access_key: a.access_key, rating: 5, comment: 'Cảm ơn.' } });
    const r2 = await call('retried with its Idempotency-Key', 'POST', R(a), 204, { headers: RKey, json: { access_key: a.access_key, rating: 5, comment: 'Cảm ơn.' } });
    await replayed('a retried rating', r1, r2, () => true);
    await call('rated twice', 'POST', R(a), 409, { json: { access_key: a.access_key, rating: 4 }, valid: true });
    await call('resolved and rated, public', 'GET', T(a), 200);
    await call('resolved and rated, the reporter', 'GET', T(a), 200, { headers: key(a) });
    await call('resolved and rated, official', 'GET', one(a.id), 200, H);

    // ---- signing out ----
    const again = await call('resident again', 'POST', S, 201, { json: { login: resident.login, password: resident.password } });
    await call('sign out', 'DELETE', S, 204, { token: again.body?.token });
    await call('signed out', 'GET', '/api/v1/me', 401, { token: again.body?.token });
    await call('without a token', 'DELETE', S, 401);

    // ---- the public's throttle, last: it holds for this address from now on ----
    n = 0;
    do {
        last = await send(base, 'POST', C, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(petition()) });
    } while (last.status === 201 && ++n < 2 * SUBMIT_LIMIT);
    await call('too many petitions', 'POST', C, 429, { json: petition() });
}

main().then((rc) => process.exit(rc), (e) => {
    console.log(`FAIL api contract: ${e.stack || e}`);
    process.exit(1);
});
