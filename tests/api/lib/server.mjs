// A demo server for the contract test: a fresh database (`akar init --demo`) and `akar serve` on
// a free port of 127.0.0.1, and a plain HTTP client (node:http) that keeps every byte and
// header of the answer, so nothing is smoothed over before it is checked.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

// Runs `akar ARGS...` to completion; returns its stdout. Throws with stderr on a non-zero exit.
export function akar(bin, args, input) {
    const r = spawnSync(bin, args, { input, encoding: 'utf8', timeout: 60000 });
    if (r.error) throw new Error(`${bin} ${args.join(' ')}: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
    return r.stdout;
}

// The demo accounts of init's output: login → { password, role, unit, secret (base32 or null) }.
export function demoAccounts(initOutput) {
    const all = {};
    for (const m of initOutput.matchAll(/^\s+([a-z][\w.]*)\s+([a-z_]+)\s+([\d.]+)\s+(\S+)(?:\s+(\S+))?\s*$/gm)) {
        const [, login, role, unit, password, secret] = m;
        all[login] = { login, role, unit, password, secret: secret && secret !== '-' ? secret : null };
    }
    return all;
}

// A fresh demo database and `akar serve` on it. submitLimit: petitions per address per 10
// minutes. Returns { url, db, initOutput, stop() }; the server's output goes to logPath.
export async function startServer({ bin, logPath, submitLimit }) {
    const dir = mkdtempSync(join(tmpdir(), 'akar-api-'));
    const db = join(dir, 'akar.db');
    const initOutput = akar(bin, ['init', '--db', db, '--demo']);
    const child = spawn(bin, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--submit-limit', String(submitLimit)],
        { stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(logPath);
    child.stderr.pipe(log);
    const lines = createInterface({ input: child.stdout });
    const url = await new Promise((ok, fail) => {
        const timer = setTimeout(() => fail(new Error('akar serve printed no URL in 15 s')), 15000);
        child.once('exit', (code) => fail(new Error(`akar serve exited ${code} before serving (see ${logPath})`)));
        child.once('error', fail);
        lines.once('line', (line) => {
            clearTimeout(timer);
            const m = line.match(/https?:\/\/[^\s]+/);
            m ? ok(m[0].replace(/\/$/, '')) : fail(new Error(`no URL in "${line}"`));
        });
    });
    lines.on('line', (l) => log.write(`stdout: ${l}\n`));
    return {
        url, db, initOutput,
        async stop() {
            if (child.exitCode === null) {
                const done = new Promise((r) => child.once('exit', r));
                child.kill('SIGTERM');
                const t = setTimeout(() => child.kill('SIGKILL'), 10000);
                await done;
                clearTimeout(t);
            }
            log.end();
            rmSync(dir, { recursive: true, force: true });
        },
    };
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
