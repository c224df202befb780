-- AlterTable
ALTER TABLE `Run` ADD COLUMN `workspaceId` VARCHAR(36) NULL;

-- CreateIndex
CREATE INDEX `Run_workspaceId_idx` ON `Run`(`workspaceId`);
