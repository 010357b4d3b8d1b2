/** Outlier models on per-pair feature matrices (see each module for the algorithm and its references). */
export * from './elliptic-envelope.js';
export * from './ensemble.js';
export * from './isolation-forest.js';
export * from './kmeans.js';
export * from './matrix.js';
export * from './one-class-svm.js';
export * from './pca.js';
export * from './scale.js';
