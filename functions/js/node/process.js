'use strict';
// require('process'): the global process.
module.exports = process;
