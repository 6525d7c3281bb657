// What the script adds when it runs (src: web/static/akar.js): the tracking code tidied as it
// is typed, the focus on the error summary, "use my location" offered, and a choice of
// photos too large refused before sending. (The receipt's print button: the mouse journey.)
import { newContext, test } from '../lib/harness.mjs';
import { assert } from '../lib/checks.mjs';
import { photo, submitButton } from '../lib/resident.mjs';
import { navigates, open, withPage } from '../lib/visit.mjs';

test('script: a tracking code typed loosely is tidied into the printed form when the field is left', async (S) => {
    await withPage(S, {}, async (page) => {
        await open(page, '/track');
        await page.locator('#f-code').fill('k7qm 3hpa 2xb');
        await page.keyboard.press('Tab');
        assert(await page.locator('#f-code').inputValue() === 'K7QM-3HPA-2XB', `tidied to ${await page.locator('#f-code').inputValue()}`);
    });
});

test('script: a form sent back with errors puts the focus on the summary of the errors', async (S) => {
    await withPage(S, {}, async (page) => {
        await open(page, '/submit?unit=586.01');
        await navigates(page, () => submitButton(page).click(), 422);
        assert(await page.evaluate(() => document.activeElement.id) === 'errors', 'the focus is on #errors');
    });
});

test('script: "use my location" fills the coordinates from the browser\'s position', async (S) => {
    const ctx = await newContext(S.browser, S.url);
    try {
        await ctx.grantPermissions(['geolocation']);
        await ctx.setGeolocation({ latitude: 11.7402, longitude: 109.1903 });
        const page = await ctx.newPage();
        await open(page, '/submit?unit=586.01');
        const locate = page.locator('[data-locate]');
        assert(await locate.isVisible(), 'the button shows when script runs');
        await locate.click();
        await page.waitForFunction(() => document.getElementById('f-lat').value !== '');
        assert(Math.abs(Number(await page.locator('#f-lat').inputValue()) - 11.7402) < 1e-4, 'latitude filled');
        assert(Math.abs(Number(await page.locator('#f-lon').inputValue()) - 109.1903) < 1e-4, 'longitude filled');
    } finally {
        await ctx.close();
    }
});

test('script: choosing more photos than allowed is refused at once, with a message', async (S) => {
    await withPage(S, {}, async (page) => {
        await open(page, '/submit?unit=586.01');
        const max = Number(await page.locator('#f-photos').getAttribute('data-max-files'));
        await page.locator('#f-photos').setInputFiles(Array.from({ length: max + 1 }, (_, i) => photo(`p${i}.png`)));
        assert(await page.locator('#f-photos').evaluate((el) => el.files.length) === 0, 'the choice is cleared');
        assert((await page.locator('.field [role="alert"]').innerText()).trim().length > 0, 'a message says why');
    });
});
