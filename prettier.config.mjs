// Prettier (`npm run format`, checked by `npm test`). The options are the set that changed the fewest
// lines of the code as it was written (measured against printWidth 120/130/140, trailingComma es5/none,
// arrowParens avoid, objectWrap collapse): wide lines, single quotes, trailing commas, arrows with parens.
export default {
  plugins: ['prettier-plugin-svelte'],
  printWidth: 160,
  singleQuote: true,
  trailingComma: 'all',
  // Keys like 'notice' stay quoted where a neighbour needs quotes ('unions:changed').
  quoteProps: 'preserve',
  bracketSameLine: true,
  overrides: [{ files: '*.svelte', options: { parser: 'svelte' } }],
};
