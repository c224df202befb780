-- AlterTable
ALTER TABLE `StepRun` ADD COLUMN `workspaceSnapshot` VARCHAR(140) NULL,
    ADD COLUMN `notMemoizable` VARCHAR(500) NULL;
