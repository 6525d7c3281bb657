// A category's extra questions on the submit form (src/web/questions.c, web/static/akar.js):
// with script only the chosen category's group shows, and changes with the choice; without
// script every group shows with the line saying which to answer; axe-core finds nothing on the
// form, with one group or all of them shown, nor on the form sent back with an error beside a
// question.
import { test } from '../lib/harness.mjs';
import { assert, assertAxeClean, screenshots } from '../lib/checks.mjs';
import { fillSubmitForm, submitButton } from '../lib/resident.mjs';
import { navigates, open, withPage } from '../lib/visit.mjs';

const group = (page, code) => page.locator(`fieldset[data-category="${code}"]`);

test('questions: with script only the chosen category\'s questions show', async (S) => {
    await withPage(S, {}, async (page) => {
        await open(page, '/submit?unit=586.01');
        assert(!(await group(page, 'social_policy').isVisible()), 'no group shows before a category is chosen');
        assert(!(await group(page, 'environment').isVisible()), 'nor the environment\'s');
        assert(!(await page.locator('[data-questions] [data-nojs]').isVisible()), 'the no-script line is hidden');
        await page.locator('#f-category').selectOption('social_policy');
        assert(await group(page, 'social_policy').isVisible(), 'the chosen category\'s group shows');
        assert(!(await group(page, 'environment').isVisible()), 'the other stays hidden');
        await page.locator('#f-category').selectOption('environment');
        assert(await group(page, 'environment').isVisible(), 'choosing another shows its group');
        assert(!(await group(page, 'social_policy').isVisible()), 'and hides the first');
        await assertAxeClean(page);
        // every group as a browser without script shows them (axe needs script to run)
        await page.evaluate(() => document.querySelectorAll('[data-questions] [hidden], [data-questions] [disabled]')
            .forEach((el) => { el.hidden = false; el.disabled = false; }));
        await assertAxeClean(page);
        await screenshots(page, S.artifacts, 'submit-questions');
    });
});

test('questions: a required question left unanswered comes back beside it, the group still shown', async (S) => {
    await withPage(S, {}, async (page) => {
        await open(page, '/submit?unit=586.01');
        await fillSubmitForm(page, { category: 'social_policy', title: 'Chậm chi trả trợ cấp', description: 'Ba tháng nay chưa nhận được.' });
        await navigates(page, () => submitButton(page).click(), 422);
        assert(await page.locator('#e-q-social_policy-programme').count() === 1, 'the error sits beside the question');
        assert(await group(page, 'social_policy').isVisible(), 'the chosen group shows');
        assert(!(await group(page, 'environment').isVisible()), 'the other does not');
        await assertAxeClean(page);
        await page.locator('#q-social_policy-programme-1').check();
        await navigates(page, () => submitButton(page).click());
        assert(new URL(page.url()).pathname === '/receipt', `sent once answered: ${page.url()}`);
    });
});

test('questions: without script every category\'s questions show, with the line saying which to answer', async (S) => {
    await withPage(S, { js: false }, async (page) => {
        await open(page, '/submit?unit=586.01');
        assert(await group(page, 'social_policy').isVisible(), 'the social policy group shows');
        assert(await group(page, 'environment').isVisible(), 'and the environment\'s');
        assert(await page.locator('[data-questions] [data-nojs]').isVisible(), 'with the line saying to answer only the chosen one\'s');
        await screenshots(page, S.artifacts, 'submit-questions-nojs');
    });
});
