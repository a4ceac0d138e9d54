import { describe, expect, it } from 'vitest';
import { asciiSlug, isSlug, normaliseSlug, slugify } from '../../src/shared/slug.js';

const codePoints = (text: string) => [...text].length;

describe('slugify in scripts the transliteration does not know', () => {
  it('keeps the letters of Chinese, Japanese, Korean, Hebrew, Devanagari and Thai', () => {
    expect(slugify('中文')).toBe('中文');
    expect(slugify('味噌汁とおにぎり')).toBe('味噌汁とおにぎり');
    expect(slugify('ラーメンの作り方')).toBe('ラーメンの作り方');
    expect(slugify('된장찌개 끓이는 법')).toBe('된장찌개-끓이는-법');
    expect(slugify('מרק עוף של סבתא')).toBe('מרק-עוף-של-סבתא');
    expect(slugify('दाल का सूप')).toBe('दाल-का-सूप');
    expect(slugify('ต้มยำกุ้งน้ำข้น')).toBe('ต้มยำกุ้งน้ำข้น');
  });

  it('makes punctuation of any script a single hyphen, trimmed at both ends', () => {
    expect(slugify('「東京」、大阪。')).toBe('東京-大阪');
    expect(slugify('  中文 —— 标签!  ')).toBe('中文-标签');
    expect(slugify('हिन्दी। भाषा')).toBe('हिन्दी-भाषा');
  });

  it('keeps digits beside the letters they belong to', () => {
    expect(slugify('2024年の目標')).toBe('2024年の目標');
    expect(slugify('第3章')).toBe('第3章');
    expect(slugify('१२३ सूप')).toBe('१२३-सूप');
  });

  it('lower-cases scripts with case and composes to NFC', () => {
    // Cherokee has case; Korean written decomposed (NFD, conjoining jamo) is composed.
    expect(slugify('ᏣᎳᎩ')).toBe('ᏣᎳᎩ'.toLowerCase());
    expect(slugify('ᏣᎳᎩ')).not.toBe('ᏣᎳᎩ');
    const decomposed = '한국어'.normalize('NFD');
    expect(decomposed).not.toBe('한국어');
    expect(slugify(decomposed)).toBe('한국어');
    // Hebrew points are combining marks: kept with their letters.
    expect(slugify('שָׁלוֹם')).toBe('שָׁלוֹם'.normalize('NFC'));
  });

  it('transliterates the Latin, Greek, Cyrillic and Arabic parts of mixed text as before', () => {
    expect(slugify('Ελληνικά שורבה 국물')).toBe('ellinika-שורבה-국물');
    expect(slugify('Zoë Ōkubo 李雷')).toBe('zoe-okubo-李雷');
    expect(slugify('用Python写博客')).toBe('用-python-写博客');
    expect(slugify('Кухня – 料理')).toBe('kukhnya-料理');
  });

  it('leaves text in transliterated scripts exactly as it was', () => {
    expect(slugify('Ελληνική σούπα φακής')).toBe('elliniki-soypa-fakis');
    expect(slugify('Борщ со сметаной')).toBe('borsch-so-smetanoy');
    expect(slugify('شوربة العدس الحمراء')).toBe('shwrbt-aleds-alhmrae');
    expect(slugify('Crème brûlée')).toBe('creme-brulee');
  });

  it('falls back for emoji-only text, ZWJ sequences and flags included, as today', () => {
    expect(slugify('🍲')).toBe('untitled');
    expect(slugify('👩‍👩‍👧 🇳🇿', 'writer')).toBe('writer');
    expect(slugify('🍲 中文 👩‍👩‍👧')).toBe('中文');
  });

  it('drops a joiner inside a word instead of splitting the word', () => {
    // Devanagari with a zero-width joiner and non-joiner (half forms).
    expect(slugify('क्\u200Dष')).toBe('क्ष');
    expect(slugify('क्\u200Cष सूप')).toBe('क्ष-सूप');
  });

  it('is at most 80 characters, never cutting a base from its marks nor a surrogate pair', () => {
    const devanagari = slugify('सू'.repeat(60));
    expect(codePoints(devanagari)).toBeLessThanOrEqual(80);
    expect(devanagari).toBe('सू'.repeat(40));
    // 𠮷 is outside the BMP (a surrogate pair in UTF-16).
    const supplementary = slugify('𠮷'.repeat(100));
    expect(supplementary).toBe('𠮷'.repeat(80));
    expect(() => encodeURIComponent(supplementary)).not.toThrow();
    const words = slugify('中文 '.repeat(40));
    expect(codePoints(words)).toBeLessThanOrEqual(80);
    expect(words).not.toMatch(/-$/);
    for (const slug of [devanagari, supplementary, words]) expect(isSlug(slug), slug).toBe(true);
  });
});

describe('isSlug and normaliseSlug', () => {
  it('accepts what slugify makes, ASCII or not', () => {
    for (const slug of ['green-living', '中文', 'ellinika-שורבה-국물', '2024年の目標', 'क्ष-सूप', 'a-1']) {
      expect(isSlug(slug), slug).toBe(true);
    }
  });

  it('refuses spaces, slashes, dots, control characters, upper case, NFD and length', () => {
    for (const bad of [
      '',
      '中 文',
      'a/b',
      '中文/..',
      '..',
      'a.b',
      '中文\u0000',
      '中文\u200B',
      'Green',
      '-中文',
      '中文-',
      'a--b',
      'café',
      '한국어'.normalize('NFD'),
      '中'.repeat(81),
      '%E4%B8%AD',
    ]) {
      expect(isSlug(bad), JSON.stringify(bad)).toBe(false);
    }
    expect(isSlug('中'.repeat(80))).toBe(true);
    expect(isSlug('a'.repeat(200), 200)).toBe(true);
  });

  it('normalises a typed slug: trimmed, NFC, lower case, percent-escapes decoded', () => {
    expect(normaliseSlug('  Green-Living ')).toBe('green-living');
    expect(normaliseSlug('%E4%B8%AD%E6%96%87')).toBe('中文');
    expect(normaliseSlug('%e4%b8%ad')).toBe('中');
    expect(normaliseSlug('한국어'.normalize('NFD'))).toBe('한국어');
    expect(normaliseSlug('100%')).toBe('100%');
  });
});

describe('asciiSlug', () => {
  it('keeps file names ASCII: a photo named in Chinese is still "photo"', () => {
    expect(asciiSlug('猫の写真', 'photo')).toBe('photo');
    expect(asciiSlug('Crème brûlée 猫', 'photo')).toBe('creme-brulee');
  });
});
