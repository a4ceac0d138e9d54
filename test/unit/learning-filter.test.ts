import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LearningFilter, renderCommentText, spamTokens } from '../../src/domain/comments/index.js';
import { type Database, openDatabase } from '../../src/storage/index.js';
import { commentCorpus, type LabelledComment } from './comment-corpus.js';

let dir: string;
let database: Database;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bayes-'));
  database = await openDatabase({ url: undefined, dataDir: dir });
  await database.migrate();
});
afterAll(async () => {
  await database?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const tokensOf = (c: LabelledComment) => spamTokens({ ...c, links: renderCommentText(c.body).links });

describe('the learning filter on a labelled set of our own', () => {
  it('separates spam from readers’ comments it was not trained on', async () => {
    const corpus = commentCorpus(200);
    const training = corpus.slice(0, 240);
    const testing = corpus.slice(240);
    const filter = new LearningFilter(database.db);
    for (const c of training) await filter.learn(database.db, tokensOf(c), c.label);

    const threshold = 0.9;
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let tn = 0;
    for (const c of testing) {
      const flagged = ((await filter.score(tokensOf(c))) ?? 0) >= threshold;
      if (flagged && c.label === 'spam') tp++;
      else if (flagged) fp++;
      else if (c.label === 'spam') fn++;
      else tn++;
    }
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    console.log(
      `learning filter: trained on ${training.length} (${training.filter((c) => c.label === 'spam').length} spam), ` +
        `tested on ${testing.length}: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} ` +
        `(tp ${tp}, fp ${fp}, fn ${fn}, tn ${tn}) at threshold ${threshold}`,
    );
    expect(testing.filter((c) => c.label === 'ham').length).toBeGreaterThan(50);
    expect(testing.filter((c) => c.label === 'spam').length).toBeGreaterThan(50);
    // A reader's comment wrongly sent to spam costs more than a spam held: precision first.
    expect(precision).toBeGreaterThanOrEqual(0.97);
    expect(recall).toBeGreaterThanOrEqual(0.8);
  });

  it('says nothing before it has seen a few comments of each kind', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bayes-empty-'));
    const fresh = await openDatabase({ url: undefined, dataDir: empty });
    try {
      await fresh.migrate();
      const filter = new LearningFilter(fresh.db);
      expect(await filter.score(['cheap', 'casino'])).toBeUndefined();
    } finally {
      await fresh.close();
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
