import * as s from './schema.js';

// The settings of the focus measures (digit mask, CAM level, flag threshold).
// They are stored with every result, because changing any of them changes the
// numbers; the UI shows and edits them through the schema below.

export const focusSettingsSchema = s.object({
  maskLevel: s.number({
    min: 0,
    max: 1,
    label: 'Digit mask level',
    help: 'A pixel belongs to the digit when its intensity (0 = black, 1 = white) is at or above this level',
  }),
  dilation: s.number({
    integer: true,
    min: 0,
    max: 16,
    label: 'Mask dilation',
    unit: 'px',
    help: 'Grows the digit mask by this many pixels in every direction (square element)',
  }),
  camLevel: s.number({
    min: 0,
    max: 1,
    label: 'CAM level for coverage',
    help: 'Coverage is the share of the image whose normalised CAM is at or above this level',
  }),
  threshold: s.number({
    min: 0,
    max: 1,
    label: 'Flag threshold',
    help: 'A sample is flagged when its off-digit share (of the CAM mass) is at or above this (the paper: 70%)',
  }),
});

export type FocusSettings = s.Infer<typeof focusSettingsSchema>;

/**
 * Defaults, measured on 2,000 MNIST training images resized to 64x64 (see
 * docs/explain.md):
 * - maskLevel 0.25: resizing 28 -> 64 blurs stroke edges; at 0.5 the mask holds
 *   only 83% of the ink (median), at 0.25 it holds 94%.
 * - dilation 1: the CAM comes from an 8x8 (paper) or 4x4 (dcgan5) map, so even
 *   attention exactly on the digit spills over the stroke edge. With one pixel of
 *   dilation the mask holds 99.4% of the ink; a CAM equal to the digit's ink
 *   pooled to 8x8 and upsampled gets a median ratio of 0.26 (none flagged; 2.5%
 *   flagged at 4x4), while a uniform CAM ("the whole image is important") is
 *   still flagged for 89% of images. Dilation 2 would let 42% of uniform CAMs pass.
 * - camLevel 0.5: half of the CAM's range, the usual cut for "important".
 * - threshold 0.70: the paper's rule.
 */
export const DEFAULT_FOCUS_SETTINGS: Readonly<FocusSettings> = Object.freeze({
  maskLevel: 0.25,
  dilation: 1,
  camLevel: 0.5,
  threshold: 0.7,
});

export function validateFocusSettings(value: unknown): s.Result<FocusSettings> {
  return s.parse(focusSettingsSchema, value);
}
