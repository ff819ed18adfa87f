// Forgot to export main.
function main() { return 1; }
