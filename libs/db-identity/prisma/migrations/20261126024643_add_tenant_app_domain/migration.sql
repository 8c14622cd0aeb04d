-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "app_domain" VARCHAR(253);

-- CreateIndex
CREATE UNIQUE INDEX "tenants_app_domain_key" ON "tenants"("app_domain");
