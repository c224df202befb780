-- AlterTable
ALTER TABLE `Run` ADD COLUMN `triggerInfo` JSON NULL,
    ADD COLUMN `concurrencyGroup` VARCHAR(255) NULL;

-- AlterTable
ALTER TABLE `Schedule` ADD COLUMN `origin` VARCHAR(16) NOT NULL DEFAULT 'pipeline',
    ADD COLUMN `position` INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN `timezone` VARCHAR(64) NOT NULL DEFAULT 'UTC',
    ADD COLUMN `overlap` VARCHAR(16) NOT NULL DEFAULT 'skip',
    ADD COLUMN `pipelineVersion` INTEGER NOT NULL DEFAULT 1;

-- CreateIndex
CREATE INDEX `Run_projectId_concurrencyGroup_status_idx` ON `Run`(`projectId`, `concurrencyGroup`, `status`);
