export * from './run';
export * from './step';
export * from './workflow-ids';
export * from './search-attributes';
