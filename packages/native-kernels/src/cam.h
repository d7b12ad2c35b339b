// Grad-CAM's last steps, from N channel-summed maps to N CAM images; the
// reference is src/main/engine/explain/cam-image.ts, which explains the method.
#pragma once

namespace nk {

// maps [n, h, w] (before the ReLU) -> out [n, size, size]: ReLU, bilinear
// resize with half-pixel centres (tf.image.resizeBilinear, alignCorners false),
// then per image (x - min) / (max - min); a flat image (range <= max * flat)
// becomes all ones if its max is positive, else all zeros.
void cam_images(const float* maps, int n, int h, int w, int size, float flat, float* out);

}  // namespace nk
