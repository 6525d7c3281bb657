// Opening pages: a context per test (closed afterwards), a page that must answer the expected
// status (a missing page fails naming itself), and the shared sessions and cases the page
// checks start from.
import { newContext } from './harness.mjs';
import { assert } from './checks.mjs';

// Runs fn(page, ctx) in a fresh context (options as newContext), closing it afterwards.
export async function withPage(shared, options, fn) {
    const ctx = await newContext(shared.browser, shared.url, options);
    try {
        const page = await ctx.newPage();
        return await fn(page, ctx);
    } finally {
        await ctx.close().catch(() => {});
    }
}

// GET path; throws if it does not answer `status` (naming a page that does not exist yet).
export async function open(page, path, status = 200) {
    const r = await page.goto(path);
    assert(r, `GET ${path}: no response`);
    if (r.status() === 404 && status !== 404)
        throw new Error(`GET ${path} answered 404: the page does not exist (yet)`);
    assert(r.status() === status, `GET ${path} answered ${r.status()}, expected ${status}`);
    return r;
}

// Waits for the navigation a click or key press starts and checks its final status.
export async function navigates(page, action, status = 200) {
    const [r] = await Promise.all([page.waitForNavigation(), action()]);
    assert(r, `no navigation after the action on ${page.url()}`);
    assert(r.status() === status, `${r.request().method()} ${new URL(r.url()).pathname} answered ${r.status()}, expected ${status}` +
        (r.status() >= 400 ? `: ${await mainText(page)}` : ''));
    return r;
}

// The page's visible main text, on one line.
export async function mainText(page) {
    return (await page.locator('main').innerText().catch(() => '')).replace(/\s+/g, ' ');
}
