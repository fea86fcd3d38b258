// Preloaded into a CLI process by the hostile-master test (NODE_OPTIONS=--require): at exit,
// writes the process's peak resident set size (kB, from getrusage) to $MA_TEST_PEAK_RSS_FILE.
const { writeFileSync } = require('node:fs');
const file = process.env.MA_TEST_PEAK_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
