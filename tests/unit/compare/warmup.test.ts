import { describe, expect, it } from 'vitest';
import { warmUpMatching } from '../../../utils/compare/warmup';

describe('matching warm-up', () => {
  it('drives the real matcher through the global path (clean copy), localisation (an edit) and the keypoint path (a crop)', async () => {
    let pauses = 0;
    const [clean, edited, cropped] = await warmUpMatching(1, async () => void pauses++);
    expect(pauses).toBe(3);
    expect(clean.match?.method).toBe('global');
    expect(clean.localisation?.edited).toBe(false);
    expect(edited.localisation?.edited).toBe(true);
    expect(cropped.match?.method).toBe('keypoints');
    expect(cropped.match?.variant).toContain('crop');
  });
});
