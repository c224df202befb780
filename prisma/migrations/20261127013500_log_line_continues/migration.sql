-- AlterTable
ALTER TABLE `LogLine` ADD COLUMN `continues` BOOLEAN NOT NULL DEFAULT false;
