// A note whose lines the real-host tests know: search must find it at line 7 (under line 5's heading).

/** "The quasarlighthouse keeper logs every beam." is line 7, under "## Quasar lighthouse" (line 5). */
export function quasarNote(title: string): string {
  return [
    `# ${title}`,                    // 1
    '',                              // 2
    'An introduction paragraph.',    // 3
    '',                              // 4
    '## Quasar lighthouse',          // 5
    '',                              // 6
    'The quasarlighthouse keeper logs every beam.', // 7
    '',                              // 8
  ].join('\n');
}
