'use strict';
// Loads the compiled addon; throws (with the path tried) when the build is missing.
const path = require('node:path');

const file = path.join(__dirname, 'build', 'Release', 'native_kernels.node');
module.exports = require(file);
module.exports.path = file;
