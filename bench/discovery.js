// node bench/discovery.js: search, related posts and feeds over 10,000 generated posts.
//
// Builds a site in a temporary data dir (SQLite, or PostgreSQL when HEARTH_DATABASE_URL
// names an empty database), imports 10,000 published posts through the post service (one
// transaction; search index per post, related posts computed once), then times
// 200 fixed queries through the search service (p50/p95/p99/max), one edit's update of
// related posts, /search.json and /feed.xml over HTTP with autocannon (a client process
// of its own: in this process it would take the server's event loop). Imports the built
// app: run `npm run build` first.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { loadConfig } from '../dist/config.js';
import { createApp } from '../dist/main.js';
import { load } from './load.js';

const POSTS = 10_000;
const GOAL_MS = 20;
const RELATED_GOAL_MS = 200;

// Deterministic pseudo-random numbers (mulberry32), so every run writes the same posts.
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(20240601);
const pick = (list) => list[Math.floor(rand() * list.length)];
const between = (min, max) => min + Math.floor(rand() * (max - min + 1));

const vocabulary = `
baby toddler child children parent parents mother father family families sibling sister
brother grandparent nap naps bedtime routine routines sleep feeding nursing bottle diaper
nappy teething tantrum tantrums patience kindness chores allowance school homework
reading story stories bath playtime playground tablet screen screens morning evening
weekend holiday holidays birthday party lunchbox snack snacks breakfast lunch dinner
supper recipe recipes kitchen oven stove skillet pan pot bowl spoon whisk flour sugar
butter salt pepper garlic onion onions tomato tomatoes potato potatoes carrot carrots
pumpkin squash zucchini courgette lettuce spinach kale cabbage beans peas lentils rice
pasta noodles bread sourdough yeast dough pastry pie crust cake cookies muffins pancakes
porridge oats honey jam cheese yogurt milk eggs chicken soup stew broth curry roast
salad dressing vinegar olive oil herbs basil parsley mint thyme rosemary sage cinnamon
ginger lemon apple apples pear pears plum berries strawberries blueberries raspberries
harvest garden gardens gardening gardener soil compost mulch seeds seedling seedlings
sprout greenhouse raised bed beds border borders lawn hedge shrub shrubs tree trees
orchard vegetable vegetables flower flowers bloom blossom roses tulips daffodils bulbs
perennial annual weeds weeding pruning watering rain frost sunshine shade season spring
summer autumn winter trellis fence path pond bees butterflies birds worms slugs snails
knitting crochet yarn wool needle needles stitch stitches quilt quilting sewing fabric
thread pattern patterns embroidery felt paper scissors glue paint painting brush canvas
clay pottery wood woodwork carving beads jewellery candle candles soap macrame weaving
loom basket baskets scrapbook collage card cards gift gifts decoration wreath lantern
project projects tutorial simple easy quick slow gentle cozy bright colourful messy tidy
clean fresh warm cold sweet savoury crunchy soft homemade seasonal budget frugal
sustainable organic natural heirloom favourite little big tiny first last new old
together outdoors indoors rainy sunny busy calm happy tired
make making bake baking cook cooking grow growing plant planting sow sowing pick picking
share sharing learn learning teach teaching help helping try trying save saving mend
mending repair reuse recycle fold stir chop mix knead simmer dig rake water prune
harvesting gather preserve preserving pickle pickling ferment fermenting dry store
tips ideas lessons mistakes notes guide checklist plan plans list week month year
`
  .trim()
  .split(/\s+/);
const stopWords = 'the a an and of to in with for on at from our my your we it is was this that'.split(' ');
const tagNames = [
  'Parenting',
  'Toddlers',
  'Babies',
  'Sleep',
  'School',
  'Family Life',
  'Recipes',
  'Baking',
  'Weeknight Dinners',
  'Lunchboxes',
  'Preserving',
  'Vegetarian',
  'Kitchen Garden',
  'Flowers',
  'Compost',
  'Seeds',
  'Orchard',
  'Houseplants',
  'Knitting',
  'Sewing',
  'Quilting',
  'Paper Crafts',
  'Pottery',
  'Woodwork',
  'Kids Crafts',
  'Holidays',
  'Budget',
  'Sustainability',
  'Seasonal',
  'Home & Garden',
];
// A word found in about one post in a thousand, for the "rare word" queries.
const RARE = 'quincunx';

function sentence() {
  const words = [];
  const n = between(6, 16);
  for (let i = 0; i < n; i++) words.push(rand() < 0.35 ? pick(stopWords) : pick(vocabulary));
  const text = words.join(' ');
  return `${text[0].toUpperCase()}${text.slice(1)}.`;
}

function body(index) {
  const target = between(150, 400);
  const paragraphs = [];
  let count = 0;
  while (count < target) {
    const sentences = [];
    for (let i = between(3, 6); i > 0 && count < target; i--) {
      const s = sentence();
      sentences.push(s);
      count += s.split(' ').length;
    }
    paragraphs.push(sentences.join(' '));
  }
  if (index % 1000 === 7) paragraphs.push(`We planted the beds in a ${RARE} pattern this year.`);
  return paragraphs.join('\n\n');
}

function title(index) {
  const words = [];
  for (let i = between(3, 7); i > 0; i--) words.push(pick(vocabulary));
  const text = words.join(' ');
  // The number keeps slugs distinct, so the post service never probes for a free one.
  return `${text[0].toUpperCase()}${text.slice(1)} ${index + 1}`;
}

function tags() {
  const chosen = new Set();
  const n = between(2, 4);
  while (chosen.size < n) chosen.add(pick(tagNames));
  return [...chosen];
}

const FIVE_YEARS = 5 * 365 * 24 * 3600 * 1000;
const end = Date.UTC(2025, 0, 1);
const publishedAt = () => new Date(end - Math.floor(rand() * FIVE_YEARS)).toISOString();

/** 200 fixed queries: single words, two words, prefixes, stop-word phrases, rare words. */
function queries() {
  const q = random(7);
  const take = (list) => list[Math.floor(q() * list.length)];
  const list = [];
  for (let i = 0; i < 80; i++) list.push(take(vocabulary));
  for (let i = 0; i < 60; i++) list.push(`${take(vocabulary)} ${take(vocabulary)}`);
  const prefixes = ['gard', 'bak', 'comp', 'knit', 'tod', 'sourd', 'harv', 'pick', 'quil', 'seed'];
  for (let i = 0; i < 30; i++) list.push(prefixes[i % prefixes.length]);
  for (let i = 0; i < 20; i++)
    list.push(`${take(vocabulary)} ${take(['the', 'and', 'of', 'with'])} ${take(vocabulary)}`);
  for (let i = 0; i < 10; i++) list.push(i % 2 ? RARE : `${RARE} pattern`);
  return list;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function cannon(url, options) {
  const result = await load({ url, connections: 8, duration: 5, ...options });
  return { rps: result.requests.average, p99: result.latency.p99 };
}

const databaseUrl = process.env.HEARTH_DATABASE_URL;
const database = databaseUrl ? 'postgresql' : 'sqlite';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-discovery-'));
let app;
try {
  app = await createApp(
    loadConfig({
      HEARTH_DATA_DIR: dataDir,
      HEARTH_LOG_LEVEL: 'silent',
      HEARTH_DEMO: 'false',
      ...(databaseUrl ? { HEARTH_DATABASE_URL: databaseUrl } : {}),
    }),
  );
  console.log(`Hearth discovery bench: ${database}, node ${process.version}, ${os.cpus().length} cores`);
  const author = await app.services.users.create({
    name: 'Bench Writer',
    email: 'bench@example.org',
    role: 'author',
  });

  const started = performance.now();
  const inputs = [];
  for (let i = 0; i < POSTS; i++) {
    inputs.push({
      title: title(i),
      body: body(i),
      status: 'published',
      publishedAt: publishedAt(),
      authorId: author.id,
      tags: tags(),
    });
  }
  // As an import writes them: one transaction, related posts computed once at the end.
  await app.services.posts.createMany(inputs);
  // Fresh statistics, as autovacuum (PostgreSQL) or `hearth` maintenance would leave them.
  await sql`analyze`.execute(app.database.db);
  const generation = (performance.now() - started) / 1000;
  console.log(
    `imported ${POSTS.toLocaleString('en')} posts in ${generation.toFixed(1)} s (${((generation * 1000) / POSTS).toFixed(2)} ms/post)`,
  );

  const list = queries();
  for (const q of list.slice(0, 20)) await app.services.search.search({ q, page: 1, perPage: 10 });
  const times = [];
  let found = 0;
  for (const q of list) {
    const t0 = performance.now();
    const r = await app.services.search.search({ q, page: 1, perPage: 10 });
    times.push(performance.now() - t0);
    if (r.total > 0) found++;
  }
  times.sort((a, b) => a - b);
  const [p50, p95, p99] = [50, 95, 99].map((p) => percentile(times, p));
  const max = times[times.length - 1];
  console.log(
    `search service, ${list.length} queries (${found} with results): p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${max.toFixed(2)} ms`,
  );

  // One edit at 10,000 posts: the post's terms, its list, and the lists it enters or leaves.
  const ids = (await app.database.db.selectFrom('posts').select('id').orderBy('id').execute()).map((r) => r.id);
  const editTimes = [];
  const relatedTimes = [];
  for (let i = 0; i < 30; i++) {
    const id = ids[Math.floor((i * ids.length) / 30)];
    const t0 = performance.now();
    await app.services.posts.update(id, { body: body(POSTS + i), tags: tags() });
    editTimes.push(performance.now() - t0);
    const t1 = performance.now();
    await app.database.db.transaction().execute((tx) => app.services.related.postChanged(tx, id));
    relatedTimes.push(performance.now() - t1);
  }
  editTimes.sort((a, b) => a - b);
  relatedTimes.sort((a, b) => a - b);
  const relatedP50 = percentile(relatedTimes, 50);
  const relatedMax = relatedTimes[relatedTimes.length - 1];
  console.log(
    `related posts after one edit, 30 edits: update alone p50 ${relatedP50.toFixed(1)} ms, max ${relatedMax.toFixed(1)} ms; whole edit (render, search index, related, commit) p50 ${percentile(editTimes, 50).toFixed(1)} ms, max ${editTimes[editTimes.length - 1].toFixed(1)} ms`,
  );
  const t2 = performance.now();
  await app.services.related.rebuild();
  console.log(
    `related posts rebuilt from scratch for all ${POSTS.toLocaleString('en')} posts in ${((performance.now() - t2) / 1000).toFixed(1)} s`,
  );

  // The post page at this size, rendered each time (the page cache dropped first): its
  // queries must not grow with the number of posts.
  const slugs = (await app.database.db.selectFrom('posts').select('slug').orderBy('id').execute()).map((r) => r.slug);
  const pageTimes = [];
  for (let i = 0; i < 300; i++) {
    const slug = slugs[Math.floor((i * slugs.length) / 300)];
    app.cache.clear();
    const t = performance.now();
    const res = await app.server.inject(`/${slug}/`);
    pageTimes.push(performance.now() - t);
    if (res.statusCode !== 200) throw new Error(`/${slug}/: HTTP ${res.statusCode}`);
  }
  pageTimes.sort((a, b) => a - b);
  console.log(
    `post page rendered uncached, 300 posts of ${POSTS.toLocaleString('en')}: p50 ${percentile(pageTimes, 50).toFixed(2)} ms, p99 ${percentile(pageTimes, 99).toFixed(2)} ms`,
  );

  await app.server.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.server.address();
  const base = `http://127.0.0.1:${port}`;
  const searchPaths = ['garden', 'baking bread', 'gard', 'soup with lentils'].map(
    (q) => `/search.json?q=${encodeURIComponent(q)}`,
  );
  const searchHttp = await cannon(base, { requests: searchPaths.map((p) => ({ method: 'GET', path: p })) });
  console.log(
    `GET /search.json (${searchPaths.length} queries, 8 connections, 5 s): ${searchHttp.rps.toFixed(0)} req/s, p99 ${searchHttp.p99} ms`,
  );
  const feed = await fetch(`${base}/feed.xml`); // fills the page cache
  if (!feed.ok) throw new Error(`/feed.xml: HTTP ${feed.status}`);
  await feed.arrayBuffer();
  const feedHttp = await cannon(`${base}/feed.xml`);
  console.log(`GET /feed.xml (cached, 8 connections, 5 s): ${feedHttp.rps.toFixed(0)} req/s, p99 ${feedHttp.p99} ms`);

  console.log(
    `search p99 ${p99.toFixed(2)} ms at ${POSTS.toLocaleString('en')} posts (goal < ${GOAL_MS} ms): ${p99 < GOAL_MS ? 'met' : 'MISSED'}`,
  );
  console.log(
    `related update after one edit, slowest of 30: ${relatedMax.toFixed(1)} ms (goal < ${RELATED_GOAL_MS} ms): ${relatedMax < RELATED_GOAL_MS ? 'met' : 'MISSED'}`,
  );
} finally {
  await app?.close().catch(() => {});
  fs.rmSync(dataDir, { recursive: true, force: true });
}
