-- A component version's README (markdown, up to 64 KiB characters): published with it or read from the
-- README.md beside a built-in's component.yaml; outside the spec and its digest.

-- AlterTable
ALTER TABLE `ComponentVersion` ADD COLUMN `readme` MEDIUMTEXT NULL;
