'use strict';
// require('constants'): os.constants' errno, signals and priority, with
// fs.constants, as Node's deprecated module merges them.

const os = require('os');
const fs = require('fs');

module.exports = Object.assign({}, os.constants.dlopen, os.constants.errno, os.constants.priority, os.constants.signals, fs.constants);
