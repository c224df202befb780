-- A run's workflow id is readable now (`<project>.<pipeline>.<number>-<8 hex>`, contract/workflow-ids.ts),
-- up to 63 + 63 + 10 + 9 characters plus dots: the column grows, and it is unique (every lookup reads it).
-- Rows written before keep the `run-<id>` they were started with; one never set gets it here.

-- AlterTable
ALTER TABLE `Run` MODIFY `workflowId` VARCHAR(160) NOT NULL;
UPDATE `Run` SET `workflowId` = CONCAT('run-', `id`) WHERE `workflowId` = '';

-- CreateIndex
CREATE UNIQUE INDEX `Run_workflowId_key` ON `Run`(`workflowId`);
