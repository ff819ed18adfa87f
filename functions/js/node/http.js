'use strict';
// require('http'): the client of internal/http.js.
module.exports = require('internal/http').http;
