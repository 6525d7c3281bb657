// A demo server for the contract test: a fresh database (`akar init --demo`) and `akar serve` on
// a free port of 127.0.0.1, and a plain HTTP client (node:http) that keeps every byte and
// header of the answer, so nothing is smoothed over before it is checked.
import { request as httpRequest } from 'node:http';

// akar(bin, args, input) and startServer({ bin, logPath, submitLimit }): see
// tests/lib/akar-server.mjs
export { akar, startServer } from '../../lib/akar-server.mjs';

// The demo accounts of init's output: login → { password, role, unit, secret (base32 or null) }.
export function demoAccounts(initOutput) {
    const all = {};
    for (const m of initOutput.matchAll(/^\s+([a-z][\w.]*)\s+([a-z_]+)\s+([\d.]+)\s+(\S+)(?:\s+(\S+))?\s*$/gm)) {
        const [, login, role, unit, password, secret] = m;
        all[login] = { login, role, unit, password, secret: secret && secret !== '-' ? secret : null };
    }
    return all;
}

// One request: { status, headers (lower-case names; set-cookie an array), bytes, text }.
// body is a Buffer or a string; an answer that comes before the body has all been sent (413)
// is taken as it is.
export function send(base, method, path, { headers = {}, body } = {}) {
    return new Promise((ok, fail) => {
        const u = new URL(path, base);
        // a large body waits for 100 Continue: a server that refuses it at once (413) is not
        // sent megabytes it would reset the connection on
        const large = body && body.length > (1 << 20);
        if (large) headers = { ...headers, Expect: '100-continue' };
        const req = httpRequest(u, { method, headers, agent: false }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
                const bytes = Buffer.concat(chunks);
                req.destroy();
                ok({ status: res.statusCode, headers: res.headers, bytes, text: bytes.toString('utf8') });
            });
            res.on('error', fail);
        });
        req.setTimeout(30000, () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
        req.on('error', (e) => {
            if (!req.res) fail(e);
        });
        if (large) req.on('continue', () => req.end(body));
        else req.end(body);
    });
}
