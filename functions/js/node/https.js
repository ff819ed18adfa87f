'use strict';
// require('https'): the client of internal/http.js, over TLS.
module.exports = require('internal/http').https;
