#!/usr/bin/env node
// akar's browser tests (issue 4): a fresh demo database, `$AKAR_BIN serve` on a free port, and
// Debian's Chromium driven by playwright-core through the residents' and officials' journeys
// (with the mouse, with the keyboard alone, without JavaScript), axe-core on every page in
// every language, page weight, and screenshots at phone and desktop widths.
//
// Prints one line per verdict, "PASS name" or "FAIL name" (the error follows, indented), for
// scripts/run-tests --lines; exits 0 once every test has run (non-zero only if the harness
// itself broke).
// Environment: AKAR_BIN (default ./akar), BROWSER_ARTIFACTS (screenshots and the server log;
// default build/browser-artifacts), CHROMIUM (default /usr/bin/chromium), BROWSER_TESTS (a
// regular expression: run only the tests whose names match).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, artifactsDir, launchBrowser, runAll, startServer } from './lib/harness.mjs';
import { englishPhrases } from './lib/checks.mjs';
import { addAccounts } from './lib/accounts.mjs';
import './suites/frame.mjs';
import './suites/signin.mjs';
import './suites/journey.mjs';
import './suites/keyboard.mjs';
import './suites/nojs.mjs';
import './suites/script.mjs';
import './suites/questions.mjs';
import './suites/pages.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
process.chdir(root);

async function main() {
    const started = Date.now();
    const bin = resolve(process.env.AKAR_BIN || './akar');
    if (!existsSync(bin)) {
        console.log(`FAIL browser: no akar binary at ${bin} (set AKAR_BIN)`);
        return 1;
    }
    if (!existsSync(CHROMIUM)) {
        console.log(`FAIL browser: no Chromium at ${CHROMIUM} (scripts/setup installs Debian's)`);
        return 1;
    }
    const artifacts = artifactsDir(root);
    let server, browser;
    try {
        server = await startServer({ bin, logPath: join(artifacts, 'server.log'), before: (db) => addAccounts(bin, db) });
        browser = await launchBrowser();
    } catch (e) {
        console.log(`FAIL browser: set-up: ${e.message}`);
        await server?.stop();
        return 1;
    }
    const shared = {
        root, bin, artifacts, browser,
        url: server.url,
        server,
        accounts: server.extra.accounts(server.initOutput),
        english: { id: englishPhrases(root, 'id'), vi: englishPhrases(root, 'vi') },
        fixtures: {},
    };
    let result;
    try {
        const filter = process.env.BROWSER_TESTS ? new RegExp(process.env.BROWSER_TESTS) : undefined;
        result = await runAll(shared, filter);
    } finally {
        await browser.close().catch(() => {});
        await server.stop();
    }
    console.log(`browser: ${result.passed} passed, ${result.failed} failed in ${((Date.now() - started) / 1000).toFixed(0)} s; ` +
        `screenshots in ${join(artifacts, 'screenshots')}`);
    return 0;
}

main().then((rc) => process.exit(rc), (e) => {
    console.log(`FAIL browser: ${e.stack || e}`);
    process.exit(1);
});
