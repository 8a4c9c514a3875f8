/**
 * ESM packages build a `require` with `createRequire(import.meta.url)`. Compiled to CommonJS for Jest,
 * that call must become Jest's own `require`, so the packages it loads share Jest's module registry
 * (one class-validator, one reflect-metadata) instead of a second copy loaded behind Jest's back.
 */
module.exports = function esmRequire({ types: t }) {
  const isCreateRequireOfImportMeta = (node) =>
    t.isCallExpression(node) &&
    t.isIdentifier(node.callee, { name: 'createRequire' }) &&
    node.arguments.length === 1 &&
    t.isMemberExpression(node.arguments[0]) &&
    t.isMetaProperty(node.arguments[0].object);
  const rewrite = {
    VariableDeclarator(path) {
      if (t.isIdentifier(path.node.id, { name: 'require' }) && isCreateRequireOfImportMeta(path.node.init)) {
        path.remove();
      }
    },
    CallExpression(path) {
      if (isCreateRequireOfImportMeta(path.node)) path.replaceWith(t.identifier('require'));
    },
  };
  // Runs on entering the program, before other plugins rewrite `import.meta`.
  return { name: 'esm-require', visitor: { Program: { enter: (path) => path.traverse(rewrite) } } };
};
