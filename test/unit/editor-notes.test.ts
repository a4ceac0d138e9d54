import { describe, expect, it } from 'vitest';
import { editorNoteBlocks } from '../../src/content/markdown/index.js';

describe('editorNoteBlocks', () => {
  it('finds each ::: note block as written, not notes inside code or other blocks', () => {
    const body = [
      'A first paragraph.',
      '',
      '::: note',
      'Updated in May: the recipe now uses less salt.  ',
      '',
      'A second line.',
      ':::',
      '',
      '```',
      '::: note',
      'only code',
      ':::',
      '```',
      '',
      '::: ps',
      'Thanks to Dora.',
      ':::',
      '',
      '::: note',
      'Correction, unclosed',
    ].join('\n');
    expect(editorNoteBlocks(body)).toEqual([
      'Updated in May: the recipe now uses less salt.\n\nA second line.',
      'Correction, unclosed',
    ]);
  });

  it('finds none in a body without notes, and reads CRLF text as LF', () => {
    expect(editorNoteBlocks('Just text.\n\n::: ps\nP.S.\n:::\n')).toEqual([]);
    expect(editorNoteBlocks('::: note\r\nA note.\r\n:::\r\n')).toEqual(['A note.']);
  });
});
