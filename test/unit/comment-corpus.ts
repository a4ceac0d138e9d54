/**
 * A labelled set of comments for the learning filter, written for Hearth: readers of a
 * family and green-living blog (ham), and the usual kinds of comment spam (spam). Made
 * by combining phrase lists with a seeded random generator, so the set is the same on
 * every run.
 */

import { seededRandom as random } from '../helpers/random.js';

export interface LabelledComment {
  name: string;
  email: string | null;
  website: string | null;
  body: string;
  label: 'ham' | 'spam';
}

const hamNames = [
  'Orla',
  'Benedikt',
  'Sunita',
  'Mags',
  'Tomasz',
  'Aoife',
  'Delphine',
  'Kwame',
  'Ruth',
  'Ilse',
  'Farah',
  'Jo from the allotment',
  'Priya',
  'Hamish',
  'Lotte',
  'Willow Playgroup',
];
const hamOpen = [
  'Thank you Tess,',
  'What a lovely read.',
  'Maren, this brought back memories.',
  'I had to smile at the photos.',
  'We have been doing something similar for a few months now.',
  'Such a calm and practical post.',
  'My mother-in-law swore by this.',
  'I was sceptical at first, I admit.',
  'Oh, I needed this today.',
  'Reading this with a sleeping baby on my chest.',
  'Great timing, we start cloth nappies next week.',
  'Bookmarking this one.',
];
const hamMiddle = [
  'our little one settles so much faster after a warm bath and a few slow strokes on her tummy',
  'we use a plain sunflower oil from the kitchen and it works just as well as the fancy bottles',
  'my toddler now asks for "feet rubs" before his story every night',
  'the tip about starting at the chest and working out to the arms made it click for me',
  'we swapped to vinegar and bicarbonate for the bathroom and honestly cannot tell the difference',
  'the lentil soup froze beautifully and fed us for three busy weeknights',
  'we walked the canal path on Sunday and let the children set the pace, like you said',
  "I mended my son's knees with bright orange thread and now he shows them off to everyone",
  'the secondhand pram we found was half the price and twice as sturdy',
  'our balcony basil is finally growing after I moved it out of the wind',
  'reading aloud has become the best twenty minutes of our day',
  'babywearing saved my back and my sanity in those first weeks',
  'my partner was nervous about hurting her but she just gurgled and grinned',
  'our health visitor recommended the same gentle strokes on the legs',
  'I found a couple of times a week was plenty and nobody felt guilty about missing days',
];
const hamClose = [
  'I will share this with the mums in our Tuesday group.',
  'Looking forward to the e-book!',
  'Thank you for the gentle encouragement.',
  'Do you have any advice for twins?',
  'Would love a post about massage for older children too.',
  'Please say hello to Maren from us.',
  'Keep writing, this corner of the internet is a kind one.',
  'Off to warm up some oil now.',
  'Is it alright to do this before a feed, or better after?',
  'Our little garden says thank you too.',
];

const spamNames = [
  'Best SEO Agency',
  'cheap watches',
  'Crypto Wealth Pro',
  'Casino Bonus 2026',
  'Dr. Pharma Online',
  'Hot Dating Site',
  'Replica Bags Outlet',
  'Loan Approved Fast',
  'Kevin',
  'Jessica',
  'Essay Writing Help',
  'Weight Loss Secret',
];
const spamTopics: { words: string[]; domain: string }[] = [
  {
    words: ['cheap', 'replica', 'watches', 'luxury', 'brand', 'discount', 'outlet', 'sale'],
    domain: 'replica-watch-deals.example',
  },
  {
    words: ['casino', 'bonus', 'jackpot', 'slots', 'free spins', 'betting', 'win', 'deposit'],
    domain: 'lucky-spins.example',
  },
  {
    words: ['crypto', 'bitcoin', 'investment', 'profit', 'trading', 'returns', 'wallet', 'guaranteed'],
    domain: 'coin-profit.example',
  },
  {
    words: ['pills', 'pharmacy', 'prescription', 'viagra', 'cheap meds', 'online', 'order', 'delivery'],
    domain: 'pharma-direct.example',
  },
  {
    words: ['seo', 'backlinks', 'ranking', 'traffic', 'google', 'first page', 'service', 'marketing'],
    domain: 'rank-boost.example',
  },
  {
    words: ['dating', 'singles', 'hot', 'meet', 'tonight', 'chat', 'lonely', 'profiles'],
    domain: 'meet-singles.example',
  },
  {
    words: ['loan', 'credit', 'approved', 'instant', 'cash', 'payday', 'no check', 'money'],
    domain: 'fast-cash-loans.example',
  },
  {
    words: ['essay', 'writing', 'homework', 'assignment', 'cheap', 'students', 'deadline', 'service'],
    domain: 'essay-helpers.example',
  },
  {
    words: ['weight loss', 'diet', 'pills', 'burn', 'fat', 'keto', 'slim', 'miracle'],
    domain: 'slim-fast-now.example',
  },
];
const spamOpen = [
  'Great post!',
  'Very informative article, thanks for sharing.',
  'Hi admin,',
  'Nice blog!',
  'I like your website.',
  'Awesome content.',
  'Hello,',
  'Wow amazing',
  'Click here:',
  'Check out',
];
const spamClose = [
  'Visit my website for more info.',
  'Click the link now!!!',
  'Limited offer, act today.',
  'Best price guaranteed.',
  '100% free, no registration.',
  'Contact us on WhatsApp.',
  'Thanks and regards.',
  'Please check my site too.',
];

const pick = <T>(next: () => number, list: T[]): T => list[Math.floor(next() * list.length)] as T;

/** `count` ham and `count` spam comments, shuffled together. */
export function commentCorpus(count: number, seed = 20261124): LabelledComment[] {
  const next = random(seed);
  const out: LabelledComment[] = [];
  for (let i = 0; i < count; i++) {
    const name = pick(next, hamNames);
    // Readers praise generically too, and now and then link a page of their own.
    const opener = next() < 0.12 ? pick(next, spamOpen.slice(0, 6)) : pick(next, hamOpen);
    const sentences = [opener, `${pick(next, hamMiddle)}.`];
    if (next() < 0.1)
      sentences.push(
        `We wrote about it here: https://${name.toLowerCase().replace(/[^a-z]+/g, '')}.blog.example/notes`,
      );
    if (next() < 0.6) sentences.push(`Also, ${pick(next, hamMiddle)}.`);
    if (next() < 0.8) sentences.push(pick(next, hamClose));
    const body = sentences.join(' ').replace(/\.\./g, '.');
    const website = next() < 0.25 ? `https://${name.toLowerCase().replace(/[^a-z]+/g, '')}.blog.example` : null;
    const email = next() < 0.7 ? `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@mail.example` : null;
    out.push({ name, email, website, body, label: 'ham' });
  }
  for (let i = 0; i < count; i++) {
    const topic = pick(next, spamTopics);
    const words = Array.from({ length: 4 + Math.floor(next() * 5) }, () => pick(next, topic.words));
    const link = `https://${topic.domain}/${pick(next, topic.words).replace(/\s+/g, '-')}`;
    const style = next();
    let body: string;
    if (style < 0.35) body = `${pick(next, spamOpen)} ${words.join(' ')} ${link} ${pick(next, spamClose)}`;
    else if (style < 0.6)
      body = `${pick(next, spamOpen)} [${words.slice(0, 3).join(' ')}](${link}) ${words.slice(3).join(', ')}. ${pick(next, spamClose)}`;
    else if (style < 0.7) body = `${words.join(' ').toUpperCase()}!!! ${link}`;
    // Copycat spam: a sentence that sounds like a reader, then the pitch.
    else if (style < 0.8) body = `${pick(next, hamOpen)} ${pick(next, hamMiddle)}. ${pick(next, spamClose)}`;
    // Compliment spam: generic praise, the link only in the website field.
    else body = `${pick(next, spamOpen)} ${pick(next, spamOpen)} ${pick(next, spamClose)}`;
    const name = pick(next, spamNames);
    out.push({
      name,
      email:
        next() < 0.5
          ? `${name.toLowerCase().replace(/[^a-z]+/g, '')}${Math.floor(next() * 999)}@bulkmail.example`
          : null,
      website: style >= 0.8 || next() < 0.5 ? `https://${topic.domain}/` : null,
      body,
      label: 'spam',
    });
  }
  // Shuffle (Fisher–Yates) so that training and test sets mix every kind.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as LabelledComment, out[i] as LabelledComment];
  }
  return out;
}
