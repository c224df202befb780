-- AlterTable
ALTER TABLE `Run` ADD COLUMN `noCache` BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE `StepRun` ADD COLUMN `fingerprint` VARCHAR(71) NULL,
    ADD COLUMN `fingerprintInputs` JSON NULL,
    ADD COLUMN `cachedFromRunId` VARCHAR(36) NULL,
    ADD COLUMN `cachedFromNumber` INTEGER NULL;

-- CreateIndex
CREATE INDEX `StepRun_fingerprint_status_idx` ON `StepRun`(`fingerprint`, `status`);
