// The browser tests' harness: a fresh demo database and a running `akar serve` on a free port,
// Debian's Chromium driven by playwright-core, and a small sequential test loop that prints one
// verdict line per test ("PASS name" / "FAIL name" and the error, indented), as
// scripts/run-tests --lines reads them.
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const LANGS = ['en', 'id', 'vi'];
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

// ---- the server ----

// akar(bin, args, input) and startServer({ bin, logPath, before }): see tests/lib/akar-server.mjs
export { akar, startServer } from '../../lib/akar-server.mjs';

// Every otpauth:// URI in a command's output, by the account name in its label
// (otpauth://totp/Issuer:login?secret=...).
export function otpauthUris(text) {
    const found = {};
    for (const m of text.matchAll(/otpauth:\/\/totp\/[^\s"'<>]+/g)) {
        const label = decodeURIComponent(new URL(m[0]).pathname.replace(/^\/+/, ''));
        found[label.includes(':') ? label.slice(label.indexOf(':') + 1) : label] = m[0];
    }
    return found;
}

// ---- the browser ----

export function launchBrowser() {
    return chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
               '--disable-component-update', '--disable-sync'],
    });
}

// A browser context on the server: `lang` puts the remembered language choice (cookie
// akar_lang) in place, `js: false` turns script off, `storageState` carries a session.
export async function newContext(browser, baseURL, { lang, js = true, viewport = PHONE, storageState } = {}) {
    const ctx = await browser.newContext({
        baseURL, viewport, javaScriptEnabled: js, storageState, locale: 'en-US',
        acceptDownloads: false, reducedMotion: 'reduce',
    });
    if (lang) {
        await ctx.addCookies([{ name: 'akar_lang', value: lang, url: baseURL }]);
    }
    // generous for a busy CI machine; a page that works answers in well under a second
    ctx.setDefaultTimeout(20000);
    ctx.setDefaultNavigationTimeout(30000);
    return ctx;
}

// ---- the test loop ----

const tests = [];

// Registers a test. `fn(shared, check)` gets the shared state (server, browser, artifacts, ...)
// and `check(name, fn)`, which runs one further verdict inside the test (several checks of one
// page visit) and prints its own line; the test's own line then says the visit itself worked.
export function test(name, fn, { timeout = 60000 } = {}) {
    tests.push({ name, fn, timeout });
}

function indent(text) {
    return String(text).split('\n').filter((l) => l.trim()).slice(0, 25)
        .map((l) => `    ${l.length > 500 ? `${l.slice(0, 500)}…` : l}`).join('\n');
}

// Runs every registered test whose name matches `filter` (a RegExp or undefined), in order.
// Prints PASS/FAIL lines; returns { passed, failed }.
export async function runAll(shared, filter) {
    let passed = 0, failed = 0;
    for (const t of tests) {
        if (filter && !filter.test(t.name)) continue;
        const started = Date.now();
        let timer, over = false;
        const check = async (name, fn) => {
            if (over) return; // the test timed out: its stragglers print nothing
            const t0 = Date.now();
            try {
                await fn();
                passed++;
                console.log(`PASS ${name}${process.env.BROWSER_TIMES ? ` (${Date.now() - t0} ms)` : ''}`);
            } catch (e) {
                failed++;
                console.log(`FAIL ${name}`);
                console.log(indent(e && e.stack && process.env.BROWSER_STACKS ? e.stack : (e && e.message) || e));
            }
        };
        try {
            await Promise.race([
                t.fn(shared, check),
                new Promise((_, fail) => {
                    timer = setTimeout(() => fail(new Error(`timed out after ${t.timeout / 1000} s`)), t.timeout);
                }),
            ]);
            passed++;
            console.log(`PASS ${t.name}${process.env.BROWSER_TIMES ? ` (${Date.now() - started} ms)` : ''}`);
        } catch (e) {
            failed++;
            console.log(`FAIL ${t.name}${process.env.BROWSER_TIMES ? ` (${Date.now() - started} ms)` : ''}`);
            console.log(indent(e && e.stack && process.env.BROWSER_STACKS ? e.stack : (e && e.message) || e));
        } finally {
            over = true;
            clearTimeout(timer);
        }
    }
    return { passed, failed };
}

// The folder for this run's artifacts (BROWSER_ARTIFACTS, default build/browser-artifacts),
// with an empty screenshots/ in it.
export function artifactsDir(root) {
    const dir = resolve(process.env.BROWSER_ARTIFACTS || join(root, 'build', 'browser-artifacts'));
    rmSync(join(dir, 'screenshots'), { recursive: true, force: true });
    mkdirSync(join(dir, 'screenshots'), { recursive: true });
    return dir;
}

// Runs fn(step), where step(label) names the part of a long journey under way, so that a
// failure says where it happened.
export async function inSteps(fn) {
    let at = 'start';
    try {
        await fn((label) => {
            at = label;
        });
    } catch (e) {
        if (e && typeof e === 'object' && 'message' in e) e.message = `at "${at}": ${e.message}`;
        throw e;
    }
}
