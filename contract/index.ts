export * from './run';
export * from './step';
export * from './step-failure';
export * from './chain';
export * from './workflow-ids';
export * from './search-attributes';
export * from './links';
